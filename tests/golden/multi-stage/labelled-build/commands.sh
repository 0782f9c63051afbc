docker build --label course=stagecraft -f Dockerfile.single -t hello-world .
docker build --label course=stagecraft --label term=autumn -t hello-world-small .
