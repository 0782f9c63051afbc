docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
