DOCKER_API_VERSION=1.12 docker version
DOCKER_API_VERSION=1.12 docker image ls
