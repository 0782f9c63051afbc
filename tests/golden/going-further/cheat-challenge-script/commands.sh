# The lesson's scratch image, and a challenge image whose ten lines come from the shell.
docker build -t hello-scratch .
docker build -f Dockerfile.challenge -t hello-challenge .
