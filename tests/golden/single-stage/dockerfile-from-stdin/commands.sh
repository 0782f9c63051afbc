docker build -t hello-world -f - . < Dockerfile.stdin
