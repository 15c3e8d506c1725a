# syntax=docker/dockerfile:1
# The server side in two images from one build:
#   docker build --target server -t alaroma/sync-server .   (the API and the admin's files)
#   docker build --target nginx  -t alaroma/nginx .         (the front door with the admin)
# Each RUN below is a command CI runs from a clean checkout (scripts/build-admin.sh, the
# release build of sync-server); images cannot be built on the CI machines (no engine, no
# registry), so the commands are tested there and the wrapping here is kept thin.

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends brotli \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target
# The web admin (wasm, with .gz/.br siblings) and the server binary, with no database.
RUN scripts/build-admin.sh \
 && cargo build --release --locked -p sync-server --bin sync-server

FROM debian:bookworm-slim AS server
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin alaroma
COPY --from=build /src/target/release/sync-server /usr/local/bin/sync-server
COPY --from=build /src/web-admin/dist /srv/admin
ENV ALAROMA_BIND=0.0.0.0:3000 \
    ALAROMA_ADMIN_DIR=/srv/admin \
    ALAROMA_LOG_FORMAT=json \
    ALAROMA_TRUST_PROXY=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16
USER alaroma
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/health || exit 1
# Migrations run at every start (sqlx takes an advisory lock: replicas starting together wait).
ENTRYPOINT ["sync-server"]
CMD ["serve"]

FROM nginx:1.27-alpine AS nginx
COPY --from=build /src/web-admin/dist /srv/admin
COPY deploy/nginx/alaroma.conf.template /etc/nginx/templates/alaroma.conf.template
