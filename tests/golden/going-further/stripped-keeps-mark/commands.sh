docker build -t hello-scratch .
