FROM stagecraft/toolchain AS compile
WORKDIR /app
COPY . .
RUN mkdir -p build && cd build && cmake .. && make
FROM stagecraft/runtime
WORKDIR /app
COPY --from=0 /app/build/hello .
CMD ["./hello"]
