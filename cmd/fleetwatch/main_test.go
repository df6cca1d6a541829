package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// offlineMirror is an empty local mirror of drupal.org's feeds and
// advisories, so that no test reaches the internet.
var offlineMirror = "file://" + os.TempDir() + "/fleetwatch-no-feeds"

// testConfig is a configuration on a fresh, migrated database of backend b, listening
// on a free port, with a cheap bcrypt cost.
func testConfig(t *testing.T, b sqlstoretest.Backend) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addr = "127.0.0.1:0"
	cfg.DatabaseURL = sqlstoretest.NewMigratedDatabaseURL(t, b)
	cfg.BcryptCost = 4
	cfg.SecretKey = "test-secret-key-0123456789abcdef-0123456789"
	cfg.ReleaseFeedURL, cfg.AdvisoryURL = offlineMirror, offlineMirror
	return cfg
}

// startMain opens and serves a Main until the test ends.
func startMain(t *testing.T, cfg Config) *Main {
	t.Helper()
	m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		m.Close()
	})
	return m
}

func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestMain_CommandLine(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"version"}, &out, &errOut); err != nil || !strings.HasPrefix(out.String(), "fleetwatch ") {
		t.Errorf("version: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"frobnicate"}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %v %q", err, errOut.String())
	}
	// Every bad setting is reported at once.
	t.Setenv("FLEETWATCH_DATABASE_URL", "mysql://x")
	err := run(context.Background(), []string{"migrate", "--addr", "nope", "--bcrypt-cost", "2", "--secret-key", "short"}, &out, &errOut)
	for _, want := range []string{"--addr", "--database-url", "--bcrypt-cost", "--secret-key"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("config error %v does not name %s", err, want)
		}
	}
}

// TestMain_NewUser does what the README tells a new user: migrate, create
// the first admin, serve, sign in, and use the API, on SQLite with the
// defaults (a secret key generated beside the database).
func TestMain_NewUser(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("FLEETWATCH_DATABASE_URL", "sqlite://"+filepath.Join(dir, "fleetwatch.db"))
	t.Setenv("FLEETWATCH_BCRYPT_COST", "4")
	t.Setenv("FLEETWATCH_RELEASE_FEED_URL", offlineMirror)
	t.Setenv("FLEETWATCH_ADVISORY_URL", offlineMirror)
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, &out, &errOut); err != nil {
		t.Fatalf("migrate: %v %s", err, errOut.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"users", "create", "--email", "admin@example.com", "--password", "admin-password", "--role", "admin"}, &out, &errOut); err != nil {
		t.Fatalf("users create: %v %s", err, errOut.String())
	}
	if !strings.HasPrefix(out.String(), "created admin admin@example.com") {
		t.Errorf("users create printed %q", out.String())
	}
	st, err := os.Stat(filepath.Join(dir, "fleetwatch.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret key file: %v %v", err, st)
	}
	if err := run(context.Background(), []string{"users", "create", "--email", "admin@example.com", "--password", "admin-password", "--role", "admin"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("duplicate user: %v", err)
	}

	cfg, err := parseConfig("serve", []string{"--addr", "127.0.0.1:0"}, &errOut, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := startMain(t, cfg)
	status, body := call(t, "POST", m.URL()+"/api/v1/auth/login", "", map[string]string{"email": "admin@example.com", "password": "admin-password"})
	if status != 200 {
		t.Fatalf("login: %d %v", status, body)
	}
	token := body["data"].(map[string]any)["access_token"].(string)
	status, body = call(t, "POST", m.URL()+"/api/v1/organizations", token, map[string]string{"name": "Acme"})
	if status != 201 || body["data"].(map[string]any)["name"] != "Acme" {
		t.Fatalf("create organization: %d %v", status, body)
	}
	if status, _ := call(t, "GET", m.URL()+"/readyz", "", nil); status != 200 {
		t.Errorf("readyz: %d", status)
	}
	res, err := http.Get(m.URL() + "/")
	if err != nil || res.StatusCode != 200 {
		t.Errorf("dashboard page: %v %v", err, res)
	}
}

// TestMain_RevocationAcrossReplicas runs two servers on one PostgreSQL
// database: a logout on one is refused at once on the other.
func TestMain_RevocationAcrossReplicas(t *testing.T) {
	cfg := testConfig(t, sqlstoretest.Postgres)
	one := startMain(t, cfg)
	cfg2 := cfg
	two := startMain(t, cfg2)
	if _, err := one.Auth.CreateUserFromShell(context.Background(), "Ops", "ops@example.com", "ops-password", "admin", ""); err != nil {
		t.Fatal(err)
	}
	_, body := call(t, "POST", one.URL()+"/api/v1/auth/login", "", map[string]string{"email": "ops@example.com", "password": "ops-password"})
	data := body["data"].(map[string]any)
	token, refresh := data["access_token"].(string), data["refresh_token"].(string)
	if status, _ := call(t, "GET", two.URL()+"/api/v1/auth/me", token, nil); status != 200 {
		t.Fatalf("token from one refused by two: %d", status)
	}
	if status, _ := call(t, "POST", one.URL()+"/api/v1/auth/logout", token, nil); status != 204 {
		t.Fatalf("logout: %d", status)
	}
	if status, _ := call(t, "GET", two.URL()+"/api/v1/auth/me", token, nil); status != 401 {
		t.Errorf("logged-out token accepted by the other replica: %d", status)
	}
	if status, _ := call(t, "POST", two.URL()+"/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}); status != 401 {
		t.Errorf("logged-out refresh token accepted by the other replica: %d", status)
	}
}
