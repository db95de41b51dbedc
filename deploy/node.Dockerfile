# The herd node image: one static Go binary, nothing pulled (FROM scratch).
# Build with `make image`; the binary is built with CGO_ENABLED=0.
FROM scratch
COPY herd-node /herd-node
EXPOSE 53/udp 53/tcp 7373 7946 7946/udp 8080 8081 8440
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s CMD ["/herd-node", "health"]
ENTRYPOINT ["/herd-node", "run"]
