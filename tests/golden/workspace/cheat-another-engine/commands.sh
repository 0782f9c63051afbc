DOCKER_HOST=unix:///tmp/nowhere.sock docker version
DOCKER_HOST=unix:///tmp/nowhere.sock docker image ls
