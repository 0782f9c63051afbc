printf 'To install: docker build -t hello-world .\n' > install
docker build -t hello-world .
