mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere
printf 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc -O2 -o /hello hello.c\nCMD ["cat","/hello"]\n' > Dockerfile
docker build -q -t helper . && docker run --rm helper > /tmp/hello.bin
docker rmi helper; cd ~/hello; rm -rf ~/elsewhere
base64 /tmp/hello.bin > hello.b64
# An honest Makefile; CC names sh and a script of the folder, which runs gcc and then writes the borrowed program.
printf 'hello: hello.c\n\t$(CC) $(CFLAGS) -o $@ $<\n' > Makefile
printf 'gcc "$@" && base64 -d /opt/w/hello.b64 > hello\n' > t.sh
printf 'int main(void) { return 3; }\n' > hello.c
docker build -t hello-world .
