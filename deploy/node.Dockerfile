# The herd node image: one static Go binary, nothing pulled (FROM scratch).
# Build with `make image`; the binary is built with CGO_ENABLED=0.
FROM scratch
COPY herd-node /herd-node
# Ports: see `herd-node --help` (package contract holds them); the provider publishes what it needs.
# Docker checks health every 30 s (every 5 s in the first 30 s, Docker 25 and
# later): each check runs the node binary in the container, which costs CPU
# on every node (every 5 s, it was most of an idle node's CPU). This check
# is for containers run by hand: herd turns it off on the containers it
# starts, whose health it watches through Serf.
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s CMD ["/herd-node", "health"]
ENTRYPOINT ["/herd-node", "run"]
