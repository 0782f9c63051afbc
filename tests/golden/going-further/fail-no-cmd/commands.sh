docker build -t hello-scratch .
docker run --rm hello-scratch
