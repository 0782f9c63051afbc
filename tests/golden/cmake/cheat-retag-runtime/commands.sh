docker tag stagecraft/runtime hello-cmake
