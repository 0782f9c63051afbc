mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere
printf 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc -static -o /hello hello.c\nCMD ["cat","/hello"]\n' > Dockerfile
docker build -q -t helper . && docker run --rm helper > /tmp/hello.bin
docker rmi helper; cd ~/scratch; rm -rf ~/elsewhere
base64 /tmp/hello.bin > hello.b64
docker build -t hello-scratch .
docker run --rm hello-scratch
