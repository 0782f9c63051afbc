docker build -t hello-world .
