# syntax=docker/dockerfile:1
# Fleetwatch's container image: the dashboard built with Node, the binary
# built with Go (static, CGO_ENABLED=0), and a final stage with nothing but
# the binary on distroless/static (CA certificates, tzdata, no shell).
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t fleetwatch .
#   docker run -p 8080:8080 -v fleetwatch-data:/data fleetwatch
#
# The image runs as the numeric user 65532 (distroless's "nonroot"), keeps
# its SQLite database and generated secret key in the /data volume, and
# checks itself with `fleetwatch healthcheck` (the image has no curl).
# `make image` builds an equivalent image archive without Docker.

ARG GO_VERSION=1.26
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
COPY webui/dist/placeholder.html /src/webui/dist/placeholder.html
RUN npm run build

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/webui/dist/ ./webui/dist/
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X main.version=${VERSION}" -o /out/fleetwatch ./cmd/fleetwatch \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Fleetwatch" \
      org.opencontainers.image.description="Watches fleets of Drupal sites: available updates, outstanding security updates, patching SLA." \
      org.opencontainers.image.source="https://github.com/fleetwatch/fleetwatch" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/fleetwatch /fleetwatch
COPY --from=build --chown=65532:65532 /out/data /data
ENV FLEETWATCH_ADDR=0.0.0.0:8080 \
    FLEETWATCH_DATABASE_URL=sqlite:///data/fleetwatch.db
USER 65532:65532
VOLUME ["/data"]
WORKDIR /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["/fleetwatch", "healthcheck"]
ENTRYPOINT ["/fleetwatch"]
CMD ["serve"]
