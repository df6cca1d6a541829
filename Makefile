# Fleetwatch — see README.md.
GO        ?= go
BIN       ?= bin/fleetwatch
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: run build test test-go vet fmt-check clean bench-ingest bench-reports bench-sse web web-if-npm test-web test-ops

## run: build and start Fleetwatch on SQLite (fleetwatch.db in this folder) at http://127.0.0.1:8080
run: web-if-npm build
	./$(BIN) serve

## build: build the fleetwatch binary into bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/fleetwatch

## test: every test (SQLite, and PostgreSQL/Redis on 127.0.0.1 when running), with vet and the race detector
test: fmt-check vet test-go test-web test-ops

test-go:
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin

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
## BENCH_RATE pushes/s offered on a fixed schedule, or 0 for a closed loop of BENCH_CONCURRENCY pushes in flight)
BENCH_DB       ?= sqlite://$(CURDIR)/bin/bench.db
BENCH_MODE     ?= unchanged
BENCH_SITES    ?= 200
BENCH_DURATION ?= 60s
BENCH_RATE     ?= 1000
BENCH_CONCURRENCY ?= 32
bench-ingest: build
	$(GO) build -o bin/fleetwatch-loadgen ./cmd/fleetwatch-loadgen
	rm -f bin/bench.db bin/bench.db-wal bin/bench.db-shm
	./bin/fleetwatch-loadgen --bin $(BIN) --database-url '$(BENCH_DB)' --mode $(BENCH_MODE) --sites $(BENCH_SITES) --duration $(BENCH_DURATION) \
		--rate $(BENCH_RATE) --concurrency $(BENCH_CONCURRENCY)

## bench-reports: time the reports on a generated fleet (REPORTS_DB is emptied; REPORTS_SITES sites × 150 projects, a year of history)
REPORTS_DB    ?= postgres://postgres@127.0.0.1:5432/fleetwatch_bench?sslmode=disable
REPORTS_SITES ?= 10000
REPORTS_CACHE ?= 0
bench-reports: build
	$(GO) build -o bin/fleetwatch-benchreports ./cmd/fleetwatch-benchreports
	./bin/fleetwatch-benchreports --fleetwatch $(BIN) --database-url '$(REPORTS_DB)' --sites $(REPORTS_SITES) --report-cache-ttl $(REPORTS_CACHE)

## bench-sse: hold SSE_CLIENTS event streams on a running server and time one event to all (see cmd/fleetwatch-ssebench)
SSE_CLIENTS ?= 10000
SSE_PID     ?= 0
bench-sse:
	$(GO) build -o bin/fleetwatch-ssebench ./cmd/fleetwatch-ssebench
	ulimit -n $$(ulimit -Hn) && ./bin/fleetwatch-ssebench --server '$(SSE_SERVER)' --email '$(SSE_EMAIL)' --password '$(SSE_PASSWORD)' \
		--site-key '$(SSE_KEY)' --clients $(SSE_CLIENTS) --server-pid '$(SSE_PID)'

## test-ops: check the alert rules and the Grafana dashboard with Prometheus's rule and PromQL parsers
## (tools/promcheck, its own module): every expression parses, every metric named is in docs/operations.md
test-ops:
	cd tools/promcheck && $(GO) vet ./... && $(GO) test -count=1 ./... && $(GO) run . --docs ../../docs/operations.md \
		--rules ../../deploy/prometheus/alerts.yaml --grafana ../../deploy/grafana/fleetwatch.json
