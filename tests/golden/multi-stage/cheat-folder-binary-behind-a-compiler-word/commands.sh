# A program built elsewhere, copied into place by a RUN that also names the compiler (gcc --version).
docker build -f Dockerfile.helper -t helper .
docker run --rm helper > hello.bin && chmod +x hello.bin
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
