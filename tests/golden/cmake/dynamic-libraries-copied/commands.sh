docker build -t hello-cmake .
docker run --rm hello-cmake
