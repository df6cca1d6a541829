package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestHealthcheck runs `fleetwatch healthcheck` against a serving server
// (by its listen address, the way the container's HEALTHCHECK does), against
// a server answering 503, and against a closed port.
func TestHealthcheck(t *testing.T) {
	m := startMain(t, testConfig(t, sqlstoretest.SQLite))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(m.URL(), "http://"))

	var out, errOut bytes.Buffer
	// A server listening on every address is checked on the loopback one.
	if err := run(context.Background(), []string{"healthcheck", "--addr", "0.0.0.0:" + port}, &out, &errOut); err != nil {
		t.Fatalf("healthcheck of a serving server: %v %s", err, errOut.String())
	}
	if want := "ok: http://127.0.0.1:" + port + "/healthz answered 200 OK"; !strings.Contains(out.String(), want) {
		t.Errorf("healthcheck printed %q, want %q", out.String(), want)
	}
	t.Setenv("FLEETWATCH_ADDR", ":"+port)
	if err := run(context.Background(), []string{"healthcheck"}, &out, &errOut); err != nil {
		t.Errorf("healthcheck with FLEETWATCH_ADDR: %v", err)
	}
	if err := run(context.Background(), []string{"healthcheck", "--url", m.URL() + "/readyz"}, &out, &errOut); err != nil {
		t.Errorf("healthcheck --url /readyz: %v", err)
	}

	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	if err := run(context.Background(), []string{"healthcheck", "--url", down.URL + "/healthz"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("healthcheck of a 503: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if err := run(context.Background(), []string{"healthcheck", "--addr", closed}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("healthcheck of a closed port: %v", err)
	}
}
