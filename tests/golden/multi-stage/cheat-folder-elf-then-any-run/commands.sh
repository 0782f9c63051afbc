# A program compiled elsewhere (a build of its own) brought into the folder, then copied into the
# build stage by name, with a RUN after it that only names the compiler.
docker build -f Dockerfile.helper -t helper .
docker run --rm helper > hello.bin && chmod +x hello.bin
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
