# Going further: a static binary in an image built FROM scratch, with an exec-form CMD.
docker build -t hello-scratch .
docker run --rm hello-scratch
# The challenge: hello-cmake as small as it goes, still printing its ten lines.
docker build -f Dockerfile.challenge -t hello-challenge .
docker run --rm hello-challenge
docker image ls hello-challenge
