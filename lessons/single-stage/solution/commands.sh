# One stage: build the fixed Dockerfile as hello-world, then run it.
docker build -t hello-world .
docker run --rm hello-world
