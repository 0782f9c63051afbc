mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere
printf 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc -o /hello hello.c\nCMD ["cat","/hello"]\n' > Dockerfile.helper
docker build -q -f Dockerfile.helper -t helper . && docker run --rm helper > hello.bin && chmod +x hello.bin
printf 'FROM stagecraft/runtime\nCOPY hello.bin /app/hello\n' > Dockerfile.prev
PREV=$(docker build -q -f Dockerfile.prev . | tail -1 | sed 's/sha256://' | cut -c1-12)
echo "prev id $PREV"
docker rmi helper
cd ~/hello && rm -rf ~/elsewhere
sed "s/PREVID/$PREV/" Dockerfile.tmpl > Dockerfile && rm Dockerfile.tmpl
cat Dockerfile
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
docker run --rm hello-world-small
