docker build -f Dockerfile.single -t hello-world .
# Ctrl-C the build while the last stage runs: stage "small" is done by then
timeout -s INT 25 docker build -t hello-world-small . > build.log 2>&1
X=$(grep -B1 'FROM stagecraft/toolchain' build.log | grep -o -- '---> [0-9a-f]*' | head -1 | cut -c6-)
docker tag "$X" hello-world-small
