docker --version
docker -v
docker version --help > /dev/null
docker image ls --help > /dev/null
