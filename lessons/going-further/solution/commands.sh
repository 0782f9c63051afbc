# Going further: a static binary in an image built FROM scratch, with an exec-form CMD.
docker build -t hello-scratch .
docker run --rm hello-scratch
