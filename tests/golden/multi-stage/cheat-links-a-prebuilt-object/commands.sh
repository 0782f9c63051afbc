# An object file compiled elsewhere (a build of its own) brought into the folder, and linked as it
# is by the build stage: its code is not what this build compiled.
docker build -f Dockerfile.single -t hello-world .
docker build -q -f Dockerfile.helper -t helper . && docker run --rm helper > prebuilt.o && docker rmi -f helper
docker build -t hello-world-small .
