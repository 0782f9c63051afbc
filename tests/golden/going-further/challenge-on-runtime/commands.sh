# The lesson's scratch image, and the challenge by another route: larger, still valid.
docker build -t hello-scratch .
docker build -f Dockerfile.challenge -t hello-challenge .
