# Two stages: the one-stage image (kept as Dockerfile.single) and the two-stage one, then compare.
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
docker run --rm hello-world-small
docker image ls | grep hello-world
