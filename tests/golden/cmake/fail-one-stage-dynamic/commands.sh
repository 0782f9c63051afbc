# One stage, linked dynamically (libstdc++ from the toolchain): it runs, and run on its own it
# still finds the libraries it was linked with; the checks of the two-stage shape fail.
docker build -t hello-cmake .
