mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere && cp ~/hello/Dockerfile Dockerfile.one && docker build -f Dockerfile.one -t hello-world .
