# The herd node image: one static Go binary, nothing pulled (FROM scratch).
# Build with `make image`; the binary is built with CGO_ENABLED=0.
FROM scratch
COPY herd-node /herd-node
# Ports: see `herd-node --help` (package contract holds them); the provider publishes what it needs.
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s CMD ["/herd-node", "health"]
ENTRYPOINT ["/herd-node", "run"]
