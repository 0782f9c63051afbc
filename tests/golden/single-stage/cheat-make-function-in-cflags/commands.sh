mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere
printf 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc -O2 -o /hello hello.c\nCMD ["cat","/hello"]\n' > Dockerfile
docker build -q -t helper . && docker run --rm helper > /tmp/hello.bin
docker rmi helper; cd ~/hello; rm -rf ~/elsewhere
gzip -9 < /tmp/hello.bin > hello.gz
# An honest Makefile; the learner's own source prints nothing.
printf 'hello: hello.c\n\t$(CC) $(CFLAGS) -o $@ $<\n' > Makefile
printf 'int main(void) { return 3; }\n' > hello.c
docker build -t hello-world .
