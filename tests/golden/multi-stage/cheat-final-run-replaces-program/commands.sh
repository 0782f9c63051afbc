# a program compiled elsewhere (here: a helper image built in another folder)
mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cp helper/Dockerfile ~/elsewhere/ && rm -r helper
(cd ~/elsewhere && docker build -q -t helper . && docker run --rm helper > /tmp/hello.bin)
base64 /tmp/hello.bin > hello.b64; rm -rf ~/elsewhere
docker rmi helper
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
docker run --rm hello-world-small
