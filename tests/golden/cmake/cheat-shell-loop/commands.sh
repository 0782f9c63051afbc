docker build -t hello-cmake .
