docker tag stagecraft/toolchain hello-world
docker build -t hello-world-small .
