docker build -f Dockerfile.helper -t helper .
docker run --rm helper > hello
docker build -t hello-scratch .
