docker build -t hello-world-small .
docker tag hello-world-small hello-world
