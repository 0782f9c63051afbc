mkdir -p ~/cm2 && cp -r CMakeLists.txt hello.cpp Dockerfile.cmake ~/cm2/ && cd ~/cm2 && docker build -f Dockerfile.cmake -t hello-cmake .
