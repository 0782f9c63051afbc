docker version --format '{{.Server.Version}}'
docker images
