printf 'hello: hello.c\n\tgcc -O2 -o hello hello.c\n' > Makefile
docker build -t hello-world .
