set -e
LC_ALL=C c99 hello.c -o hello
