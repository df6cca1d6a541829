# Fleetwatch — see README.md.
GO        ?= go
BIN       ?= bin/fleetwatch
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)

.PHONY: run build test test-go vet fmt-check clean

## run: build and start Fleetwatch on SQLite (fleetwatch.db in this folder) at http://127.0.0.1:8080
run: build
	./$(BIN) serve

## build: build the fleetwatch binary into bin/
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/fleetwatch

## test: every test (SQLite, and PostgreSQL/Redis on 127.0.0.1 when running), with vet and the race detector
test: fmt-check vet test-go

test-go:
	$(GO) test -race -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

clean:
	rm -rf bin
