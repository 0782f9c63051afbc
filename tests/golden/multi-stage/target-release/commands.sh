docker build -f Dockerfile.single -t hello-world .
docker build --target release -t hello-world-small .
