// This module only keeps the Go tool out of web/: npm packages under
// node_modules carry Go files of their own, which `go vet ./...` and
// `go test ./...` of the main module must not pick up.
module github.com/fleetwatch/fleetwatch/web

go 1.26
