# The big image is the toolchain with a program brought in, and a RUN that names gcc: it is not a
# one-stage build of the program, so the size comparison means nothing.
docker build -f Dockerfile.helper -t helper .
docker run --rm helper > hello.bin && chmod +x hello.bin
docker build -f Dockerfile.big -t hello-world .
docker build -t hello-world-small .
