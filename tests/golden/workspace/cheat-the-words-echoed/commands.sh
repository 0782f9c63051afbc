echo docker version
echo 'Server: Stagecraft lab' > docker-version.txt
echo docker image ls
