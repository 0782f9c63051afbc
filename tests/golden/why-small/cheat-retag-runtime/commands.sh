docker build -f Dockerfile.single -t hello-world .
docker tag stagecraft/runtime hello-world-small
