# Fleetwatch — see README.md.
GO        ?= go
BIN       ?= bin/fleetwatch
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)

.PHONY: run build build-go test test-go vet fmt-check clean bench-ingest bench-reports bench-sse web web-if-npm test-web test-faults test-php fuzz tools release image test-deploy test-ops

## run: build and start Fleetwatch on SQLite (fleetwatch.db in this folder) at http://127.0.0.1:8080
run: build
	./$(BIN) serve

## build: build the dashboard when npm is installed (web-if-npm), then the fleetwatch binary that embeds it
build: web-if-npm build-go

## build-go: build only the fleetwatch binary into bin/ (static: CGO_ENABLED=0), with whatever webui/dist holds
build-go:
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/fleetwatch

## test: every test (SQLite, and PostgreSQL/Redis on 127.0.0.1 when running), with vet and the race detector
test: fmt-check vet test-go test-web test-php test-deploy test-ops

# ./deploy checks the release, the image and the deploy files with their tools; test-deploy
# builds those first and runs it.
test-go:
	$(GO) test -race -count=1 $$($(GO) list ./... | grep -v '/deploy$$')

vet:
	$(GO) vet ./...

## test-faults: the fault matrix (faults/): the real binary under load while PostgreSQL, Redis, a replica or SQLite's disk fails
## (needs PostgreSQL on 127.0.0.1, redis-server on the PATH, root for a small tmpfs; FAULTS_LOAD sets each load's length)
test-faults:
	$(GO) test -tags faults -count=1 -timeout 20m -v ./faults/

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin dist

## test-php: the Drupal connectors (integrations/drupal): php -l on every file, then PHPUnit; skipped
## with a message without php and phpunit, failing under CI=true
test-php:
	@if command -v php >/dev/null 2>&1 && command -v phpunit >/dev/null 2>&1; then \
		integrations/drupal/lint.sh && cd integrations/drupal && phpunit; \
	elif [ "$$CI" = "true" ]; then \
		echo "test-php: php and phpunit are required under CI=true (apt-get install php-cli phpunit php-xml php-mbstring)"; exit 1; \
	else echo "test-php: php or phpunit not found: skipping the Drupal connectors' tests (apt-get install php-cli phpunit php-xml php-mbstring)"; fi

## web: build the dashboard (web/) into webui/dist, which the binary embeds
web:
	cd web && npm ci --no-audit --no-fund && npm run build

# web-if-npm: build the dashboard when npm is installed; without it the binary
# serves a page that says how to build it.
web-if-npm:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) web; \
	else echo "npm not found: skipping the dashboard build (the binary serves a page saying how to build it)"; fi

## test-web: the dashboard's checks: types, lint, format, unit tests, API types freshness, end-to-end
test-web:
	cd web && npm ci --no-audit --no-fund && npx tsc --noEmit && npx eslint . && npx prettier --check . \
		&& npx vitest run && npm run check:api && npm run e2e

## bench-ingest: load-test the ingest path (BENCH_DB=postgres://… or sqlite://…; BENCH_MODE=unchanged|changed;
## BENCH_RATE pushes/s offered on a fixed schedule, or 0 for a closed loop of BENCH_CONCURRENCY pushes in flight;
## BENCH_LIBRARIES PHP libraries in each inventory besides its Drupal projects)
BENCH_DB       ?= sqlite://$(CURDIR)/bin/bench.db
BENCH_MODE     ?= unchanged
BENCH_SITES    ?= 200
BENCH_DURATION ?= 60s
BENCH_RATE     ?= 1000
BENCH_CONCURRENCY ?= 32
BENCH_LIBRARIES ?= 0
bench-ingest: build-go
	$(GO) build -o bin/fleetwatch-loadgen ./cmd/fleetwatch-loadgen
	rm -f bin/bench.db bin/bench.db-wal bin/bench.db-shm
	./bin/fleetwatch-loadgen --bin $(BIN) --database-url '$(BENCH_DB)' --mode $(BENCH_MODE) --sites $(BENCH_SITES) --duration $(BENCH_DURATION) \
		--rate $(BENCH_RATE) --concurrency $(BENCH_CONCURRENCY) --libraries $(BENCH_LIBRARIES)

## bench-reports: time the reports on a generated fleet (REPORTS_DB is emptied; REPORTS_SITES sites × 150 projects, a year of history)
REPORTS_DB    ?= postgres://postgres@127.0.0.1:5432/fleetwatch_bench?sslmode=disable
REPORTS_SITES ?= 10000
REPORTS_CACHE ?= 0
bench-reports: build-go
	$(GO) build -o bin/fleetwatch-benchreports ./cmd/fleetwatch-benchreports
	./bin/fleetwatch-benchreports --fleetwatch $(BIN) --database-url '$(REPORTS_DB)' --sites $(REPORTS_SITES) --report-cache-ttl $(REPORTS_CACHE)

## bench-sse: hold SSE_CLIENTS event streams on a running server and time one event to all (see cmd/fleetwatch-ssebench)
SSE_CLIENTS ?= 10000
SSE_PID     ?= 0
bench-sse:
	$(GO) build -o bin/fleetwatch-ssebench ./cmd/fleetwatch-ssebench
	ulimit -n $$(ulimit -Hn) && ./bin/fleetwatch-ssebench --server '$(SSE_SERVER)' --email '$(SSE_EMAIL)' --password '$(SSE_PASSWORD)' \
		--site-key '$(SSE_KEY)' --clients $(SSE_CLIENTS) --server-pid '$(SSE_PID)'

## fuzz: run every fuzz target (func FuzzX in a _test.go) for FUZZTIME each (tools/fuzz.sh); their seed corpora
## (testdata fixtures, testdata/fuzz) already run in `make test`
FUZZTIME ?= 10s
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) tools/fuzz.sh

# Tools built from the Go module proxy at pinned versions into bin/tools
# (the file name carries the version, so a new pin rebuilds and a kept
# bin/ reuses them); bin/tools/NAME links to the pinned one.
TOOLS                   := bin/tools
HELM_VERSION            := v4.3.2
CYCLONEDX_GOMOD_VERSION := v1.10.0
$(TOOLS)/helm-$(HELM_VERSION):
	@mkdir -p $(TOOLS)/build-helm
	GOBIN=$(CURDIR)/$(TOOLS)/build-helm $(GO) install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)
	mv $(TOOLS)/build-helm/helm $@ && rmdir $(TOOLS)/build-helm
	ln -sf helm-$(HELM_VERSION) $(TOOLS)/helm
$(TOOLS)/cyclonedx-gomod-$(CYCLONEDX_GOMOD_VERSION):
	@mkdir -p $(TOOLS)/build-cyclonedx
	GOBIN=$(CURDIR)/$(TOOLS)/build-cyclonedx $(GO) install github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@$(CYCLONEDX_GOMOD_VERSION)
	mv $(TOOLS)/build-cyclonedx/cyclonedx-gomod $@ && rmdir $(TOOLS)/build-cyclonedx
	ln -sf cyclonedx-gomod-$(CYCLONEDX_GOMOD_VERSION) $(TOOLS)/cyclonedx-gomod
tools: $(TOOLS)/helm-$(HELM_VERSION) $(TOOLS)/cyclonedx-gomod-$(CYCLONEDX_GOMOD_VERSION)

## release: static binaries for linux/amd64, linux/arm64, darwin/arm64 (dashboard embedded, VERSION stamped)
## into dist/, with SHA256SUMS and CycloneDX SBOMs of the Go modules (per binary) and the dashboard's npm packages
RELEASE_PLATFORMS := linux/amd64 linux/arm64 darwin/arm64
release: web $(TOOLS)/cyclonedx-gomod-$(CYCLONEDX_GOMOD_VERSION)
	rm -rf dist && mkdir -p dist
	for p in $(RELEASE_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; out=dist/fleetwatch-$(VERSION)-$$os-$$arch; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $$out ./cmd/fleetwatch || exit 1; \
		$(TOOLS)/cyclonedx-gomod bin -json -version $(VERSION) -output $$out.cdx.json $$out || exit 1; \
	done
	# (--omit dev would drop react too, with npm 11; development packages are marked scope "optional")
	cd web && npm sbom --package-lock-only --sbom-format cyclonedx --sbom-type application > ../dist/fleetwatch-$(VERSION)-web.cdx.json
	cd dist && sha256sum fleetwatch-* > SHA256SUMS
	@cat dist/SHA256SUMS

## image: an OCI image archive (dist/fleetwatch-image.tar) of the static binary, built without a daemon or a base image
image: build
	@mkdir -p dist
	$(GO) run ./cmd/fleetwatch-image --binary $(BIN) --version $(VERSION) --revision "$(REVISION)" --output dist/fleetwatch-image.tar

## test-deploy: build the release and the image, then check them and render/validate every deploy/ artifact
## with its real tool (helm lint/template, docker-compose config, systemd-analyze verify)
test-deploy: release image $(TOOLS)/helm-$(HELM_VERSION)
	FLEETWATCH_RELEASE_DIR=$(CURDIR)/dist FLEETWATCH_VERSION=$(VERSION) FLEETWATCH_REVISION=$(REVISION) \
	FLEETWATCH_IMAGE_ARCHIVE=$(CURDIR)/dist/fleetwatch-image.tar $(GO) test -count=1 ./deploy ./cmd/fleetwatch-image
## test-ops: check the alert rules and the Grafana dashboard with Prometheus's rule and PromQL parsers
## (tools/promcheck, its own module): every expression parses, every metric named is in docs/operations.md
test-ops:
	cd tools/promcheck && $(GO) vet ./... && $(GO) test -count=1 ./... && $(GO) run . --docs ../../docs/operations.md \
		--rules ../../deploy/prometheus/alerts.yaml --grafana ../../deploy/grafana/fleetwatch.json
