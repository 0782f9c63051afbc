#include <unistd.h>
__attribute__((constructor)) static void hi(void) { write(1, "Hello, world!\n", 14); _exit(0); }
