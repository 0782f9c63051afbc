# A friend's program, compiled elsewhere (a build of its own), brought into the folder; the lesson's
# build compiles a program that prints nothing and hides a COPY of the friend's over it behind an ARG.
docker build -q -f Dockerfile.friend -t friend .
docker run --rm friend cat /friend/hello > prebuilt
chmod +x prebuilt
docker build -f Dockerfile.single -t hello-world .
docker build --build-arg EXTRA=/app/hello -t hello-world-small .
