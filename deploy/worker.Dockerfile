# herd's production worker: the slim, static herd binary (no Temporal server
# in it) and a CA bundle, nothing else. Built by `make worker-image`.
FROM scratch
COPY herd /herd
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV HERD_SECRET_FILE=/etc/herd/master.key \
    HERD_LOG_FORMAT=json \
    HERD_METRICS_ADDR=0.0.0.0:9464
EXPOSE 9464
USER 65532:65532
ENTRYPOINT ["/herd"]
CMD ["worker"]
