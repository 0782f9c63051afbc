printf 'FROM stagecraft/toolchain\nCOPY hello.c /src/\nRUN gcc /src/hello.c -o /src/hello\n' > Dockerfile.base
docker build -f Dockerfile.base -t hello-base .
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
