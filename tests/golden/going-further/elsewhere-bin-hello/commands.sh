mkdir -p ~/gf && cp hello.c Dockerfile.scratch ~/gf/ && cd ~/gf && docker build -f Dockerfile.scratch -t hello-scratch .
