docker build -f Dockerfile.single -t hello-world .
docker tag hello-world hello-world-small
