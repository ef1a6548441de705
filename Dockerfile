# syntax=docker/dockerfile:1
# Build: docker build -t sluice .
# Run:   docker run -p 8080:8080 -v sluice-data:/data -e SLUICE_API_TOKENS=... sluice
# A TOML file: -v "$PWD/sluice.toml:/etc/sluice/sluice.toml:ro" -e SLUICE_CONFIG=/etc/sluice/sluice.toml
# A bind-mounted /data must be writable by the image's user sluice, uid 999 and gid 999 (fixed below):
#   mkdir -p data && sudo chown 999:999 data && docker run ... -v "$PWD/data:/data" ... sluice

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl-dev libsqlite3-dev libpq-dev zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Every target's folder must exist for the manifest to load, benchmarks and tests included.
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
COPY Benchmarks ./Benchmarks
RUN swift build -c release --product sluice --static-swift-stdlib \
 && cp "$(swift build -c release --show-bin-path)/sluice" /sluice

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 libsqlite3-0 libpq5 zlib1g ca-certificates tzdata publicsuffix \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 999 sluice \
 && useradd --system --uid 999 --gid sluice --home-dir /data --shell /usr/sbin/nologin sluice \
 && mkdir -p /data && chown sluice:sluice /data
COPY --from=build /sluice /usr/local/bin/sluice
COPY Config/sluice.example.toml /etc/sluice/sluice.example.toml
USER sluice
WORKDIR /data
VOLUME ["/data"]
ENV SLUICE_HTTP_HOST=0.0.0.0 \
    SLUICE_HTTP_PORT=8080 \
    SLUICE_DATABASE_PATH=/data/sluice.sqlite
EXPOSE 8080
STOPSIGNAL SIGTERM
# serve applies migrations before it listens (a schema upgrade can rewrite large tables): give it a minute.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/sluice", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/sluice"]
CMD ["serve"]
