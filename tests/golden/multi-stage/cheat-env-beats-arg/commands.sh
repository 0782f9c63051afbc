# The compiled program copied to /app/hello, then the folder's program over it through $DEST:
# the engine reads ENV's value (ENV beats an ARG of the same name), not the ARG's decoy.
docker build -f Dockerfile.helper -t helper .
docker run --rm helper > hello.bin && chmod +x hello.bin
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
