# Workspace: nothing to build; the Docker client answers and the image list is readable.
docker version
docker image ls
