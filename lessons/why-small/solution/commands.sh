# Why small: both images present, then the measurements the lesson asks for.
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
docker image inspect --format '{{.Size}}' hello-world hello-world-small
docker run --rm hello-world find / -xdev -type f | wc -l
docker run --rm hello-world-small find / -xdev -type f | wc -l
docker history hello-world-small
time docker run --rm hello-world-small
