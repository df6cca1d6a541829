package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestMain_OneKeyPerInstallation runs replicas on one PostgreSQL database:
// one with another key, or with none (it would generate its own), refuses to
// start and says how to fix it; one with the same key starts.
func TestMain_OneKeyPerInstallation(t *testing.T) {
	t.Chdir(t.TempDir()) // where a replica without a key would write one
	cfg := testConfig(t, sqlstoretest.Postgres)
	first := startMain(t, cfg)
	if _, err := first.Auth.CreateUserFromShell(context.Background(), "Ops", "ops@example.com", "ops-password", "admin", ""); err != nil {
		t.Fatal(err)
	}
	open := func(key string) error {
		c := cfg
		c.SecretKey = key
		m := NewMain(c, slog.New(slog.NewTextHandler(io.Discard, nil)))
		defer m.Close()
		return m.Open(context.Background())
	}
	for name, key := range map[string]string{"another key": "another-secret-key-0123456789abcdef-012345", "no key": ""} {
		err := open(key)
		if err == nil {
			t.Fatalf("%s: a replica started", name)
		}
		for _, want := range []string{"not this installation's", first.InstallationID, "FLEETWATCH_SECRET_KEY"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not say %q", name, err, want)
			}
		}
	}
	if _, err := os.Stat("fleetwatch.key"); !os.IsNotExist(err) {
		t.Errorf("a refused replica wrote the key it generated: %v", err)
	}
	if err := open(cfg.SecretKey); err != nil {
		t.Errorf("a replica with the installation's key: %v", err)
	}
}

// TestMain_KeyFileGeneratedOnce: without a configured key, the first start
// generates one, keeps it beside the SQLite file and is accepted by the
// database on every later start.
func TestMain_KeyFileGeneratedOnce(t *testing.T) {
	cfg := testConfig(t, sqlstoretest.SQLite)
	cfg.SecretKey = ""
	for range 2 {
		m := NewMain(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		err := m.Open(context.Background())
		m.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if st, err := os.Stat(NewMain(cfg, nil).keyFile()); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
}
