# CMake: the build stage alone, then the whole image (with the static link in CMakeLists.txt), then run it.
docker build --target build -t hello-cmake-build .
docker build -t hello-cmake .
docker run --rm hello-cmake
