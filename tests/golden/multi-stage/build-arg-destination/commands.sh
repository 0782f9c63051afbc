docker build -f Dockerfile.single -t hello-world .
docker build --build-arg DEST=/srv -t hello-world-small .
