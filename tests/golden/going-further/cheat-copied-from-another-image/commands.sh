docker build -f Dockerfile.helper -t helper .
docker build -t hello-scratch .
