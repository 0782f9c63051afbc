docker build -f Dockerfile.helper -t helper .
docker run --rm helper > hello.bin && chmod +x hello.bin
docker build -t hello-world .
