docker version
docker image ls stagecraft/runtime
docker image ls --filter dangling=true
