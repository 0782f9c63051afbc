docker build -f Dockerfile.single -t hello-world .
mkdir -p ~/ms && cp hello.c Dockerfile.multi ~/ms/ && cd ~/ms && docker build -f Dockerfile.multi -t hello-world-small .
