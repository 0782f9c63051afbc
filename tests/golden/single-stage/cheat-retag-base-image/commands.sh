docker tag stagecraft/toolchain hello-world
