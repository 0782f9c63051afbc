docker version --format '{{json .}}' > /dev/null
docker image ls -q
