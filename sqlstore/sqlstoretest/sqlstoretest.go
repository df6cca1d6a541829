// Package sqlstoretest gives tests of any package fresh, migrated databases
// on every backend: SQLite in a temporary directory and PostgreSQL in a new
// database per store, dropped when the test ends.
//
//	func TestSiteService_Create(t *testing.T) {
//		sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) { … })
//	}
//
// PostgreSQL is reached at FLEETWATCH_TEST_POSTGRES_URL, by default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; that role must
// be allowed to create databases. When it does not answer, PostgreSQL tests
// skip with a message, except under CI=true, where they fail.
// FLEETWATCH_TEST_BACKENDS=sqlite (or postgres) runs one backend only.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// DefaultPostgresURL is the server the PostgreSQL tests use when
// FLEETWATCH_TEST_POSTGRES_URL is not set.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Backend is a database the store runs on.
type Backend struct {
	Name string // "sqlite" or "postgres", as Store.Dialect returns it
}

// The backends.
var (
	SQLite   = Backend{Name: "sqlite"}
	Postgres = Backend{Name: "postgres"}
)

// Backends returns the backends to test: both, or those named in the
// comma-separated FLEETWATCH_TEST_BACKENDS.
func Backends(tb testing.TB) []Backend {
	tb.Helper()
	only := os.Getenv("FLEETWATCH_TEST_BACKENDS")
	if only == "" {
		return []Backend{SQLite, Postgres}
	}
	var bs []Backend
	for _, name := range strings.Split(only, ",") {
		switch strings.TrimSpace(name) {
		case SQLite.Name:
			bs = append(bs, SQLite)
		case Postgres.Name:
			bs = append(bs, Postgres)
		default:
			tb.Fatalf("FLEETWATCH_TEST_BACKENDS: unknown backend %q (sqlite, postgres)", name)
		}
	}
	return bs
}

// ForEach runs fn as a subtest per backend, named after it, each with a
// fresh migrated store.
func ForEach(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, MustOpen(t, b))
		})
	}
}

// MustOpen returns a store on a fresh, migrated database of backend, closed
// and removed when the test ends.
func MustOpen(tb testing.TB, b Backend) *sqlstore.Store {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := sqlstore.Open(ctx, NewDatabaseURL(tb, b))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// NewDatabaseURL returns the URL of a new, empty, unmigrated database of
// backend, removed when the test ends: for tests that start the whole server.
func NewDatabaseURL(tb testing.TB, b Backend) string {
	tb.Helper()
	switch b {
	case SQLite:
		return "sqlite://" + filepath.Join(tb.TempDir(), "fleetwatch.db")
	case Postgres:
		return newPostgresDatabase(tb)
	}
	tb.Fatalf("sqlstoretest: unknown backend %q", b.Name)
	return ""
}

// newPostgresDatabase creates the database fleetwatch_test_<random> and drops
// it, with any connection still open to it, when the test ends.
func newPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	adminURL := os.Getenv("FLEETWATCH_TEST_POSTGRES_URL")
	if adminURL == "" {
		adminURL = DefaultPostgresURL
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		tb.Fatalf("FLEETWATCH_TEST_POSTGRES_URL: %v", err)
	}
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		tb.Fatalf("FLEETWATCH_TEST_POSTGRES_URL: %v", err)
	}
	defer admin.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pingCtx, cancelPing := context.WithTimeout(ctx, 3*time.Second)
	defer cancelPing()
	if err := admin.PingContext(pingCtx); err != nil {
		msg := fmt.Sprintf("PostgreSQL is not reachable at %s (set FLEETWATCH_TEST_POSTGRES_URL): %v", u.Redacted(), err)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}

	name := "fleetwatch_test_" + randomHex(8)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() { dropPostgresDatabase(tb, adminURL, name) })

	u.Path = "/" + name
	return u.String()
}

func dropPostgresDatabase(tb testing.TB, adminURL, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		tb.Errorf("drop test database %s: %v", name, err)
		return
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		tb.Errorf("drop test database %s: %v", name, err)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
