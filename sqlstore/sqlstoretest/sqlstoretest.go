// Package sqlstoretest gives tests of any package fresh, migrated databases
// on every backend: SQLite in a temporary directory and PostgreSQL in a new
// database per store, dropped when the test ends.
//
// A migrated database is a copy of a template, so that each test does not
// pay for every migration: SQLite's is migrated once per test binary and
// copied as a file; PostgreSQL's is the database
// fleetwatch_tmpl_<digest of the migrations>, migrated once by the first
// test binary that needs it, kept for the next ones (a change to the
// migrations makes a new one; old ones may be dropped at any time when no
// test runs) and copied by CREATE DATABASE … TEMPLATE. Each copy gets an
// installation id of its own.
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
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
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
// fresh migrated store. The subtests run in parallel (t.Parallel), after
// the calling test's function returns: fn must not share unguarded state
// between backends, nor call t.Setenv, and a check of what both subtests
// did belongs in a t.Cleanup of the calling test (see ForEachInTurn).
func ForEach(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, MustOpen(t, b))
		})
	}
}

// ForEachInTurn is ForEach with the backends one after the other: for a
// test that sets state shared by the package, such as a test hook.
func ForEachInTurn(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
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
	s, err := sqlstore.Open(ctx, NewMigratedDatabaseURL(tb, b))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close store: %v", err)
		}
	})
	return s
}

// NewDatabaseURL returns the URL of a new, empty, unmigrated database of
// backend, removed when the test ends: for tests of the migrations.
func NewDatabaseURL(tb testing.TB, b Backend) string {
	tb.Helper()
	switch b {
	case SQLite:
		return "sqlite://" + filepath.Join(tb.TempDir(), "fleetwatch.db")
	case Postgres:
		return newPostgresDatabase(tb, "")
	}
	tb.Fatalf("sqlstoretest: unknown backend %q", b.Name)
	return ""
}

// NewMigratedDatabaseURL returns the URL of a new database of backend with
// every migration applied, removed when the test ends: for tests that start
// the whole server (which finds nothing to migrate).
func NewMigratedDatabaseURL(tb testing.TB, b Backend) string {
	tb.Helper()
	var u string
	switch b {
	case SQLite:
		tmpl, err := sqliteTemplate()
		if err != nil {
			tb.Fatalf("sqlstoretest: SQLite template: %v", err)
		}
		path := filepath.Join(tb.TempDir(), "fleetwatch.db")
		if err := os.WriteFile(path, tmpl, 0o600); err != nil {
			tb.Fatal(err)
		}
		u = "sqlite://" + path
	case Postgres:
		u = newPostgresDatabase(tb, postgresTemplate(tb))
	default:
		tb.Fatalf("sqlstoretest: unknown backend %q", b.Name)
	}
	if err := newInstallation(u); err != nil {
		tb.Fatal(err)
	}
	return u
}

// newInstallation gives a copied database an installation id of its own:
// the id namespaces what a server keeps in Redis, which tests share.
func newInstallation(databaseURL string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := openDB(databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	b := []byte(randomHex(16))
	id := fmt.Sprintf("%s-%s-4%s-a%s-%s", b[0:8], b[8:12], b[13:16], b[17:20], b[20:32])
	if _, err := db.ExecContext(ctx, `UPDATE installation SET id = $1`, id); err != nil {
		return fmt.Errorf("sqlstoretest: new installation id: %w", err)
	}
	return nil
}

// openDB opens a database of either backend without the store, for the few
// statements the store has no method for.
func openDB(databaseURL string) (*sql.DB, error) {
	if path, ok := strings.CutPrefix(databaseURL, "sqlite://"); ok {
		return sql.Open("sqlite", path)
	}
	return sql.Open("pgx", databaseURL)
}

var sqliteTmpl struct {
	once sync.Once
	file []byte
	err  error
}

// sqliteTemplate returns the file of a SQLite database with every
// migration applied, made once per test binary.
func sqliteTemplate() ([]byte, error) {
	t := &sqliteTmpl
	t.once.Do(func() { t.file, t.err = makeSQLiteTemplate() })
	return t.file, t.err
}

func makeSQLiteTemplate() ([]byte, error) {
	dir, err := os.MkdirTemp("", "fleetwatch-sqlite-template")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	migrated := "sqlite://" + filepath.Join(dir, "migrated.db")
	s, err := sqlstore.Open(ctx, migrated)
	if err != nil {
		return nil, err
	}
	err = s.Migrate(ctx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	// One self-contained file, whatever the write-ahead log still holds.
	db, err := openDB(migrated)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	file := filepath.Join(dir, "template.db")
	if _, err := db.ExecContext(ctx, `VACUUM INTO $1`, file); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	return os.ReadFile(file)
}

var postgresTmpl struct {
	once sync.Once
	name string
	err  error
}

// postgresTemplate returns the name of the PostgreSQL database with every
// migration applied that tests copy, creating it when no earlier test
// binary did. Binaries that start at once wait for the first under an
// advisory lock; the template is made under another name and renamed once
// migrated, so a half-made one is never copied.
func postgresTemplate(tb testing.TB) string {
	tb.Helper()
	adminURL := postgresAdmin(tb)
	t := &postgresTmpl
	t.once.Do(func() { t.name, t.err = makePostgresTemplate(adminURL) })
	if t.err != nil {
		tb.Fatalf("sqlstoretest: PostgreSQL template: %v", t.err)
	}
	return t.name
}

func makePostgresTemplate(adminURL string) (string, error) {
	name := "fleetwatch_tmpl_" + sqlstore.MigrationsDigest()[:16]
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin, err := sql.Open("pgx", adminURL)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx) // the advisory lock belongs to one session
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtext($1))`, name); err != nil {
		return "", fmt.Errorf("lock: %w", err)
	}
	defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(hashtext($1))`, name) //nolint:errcheck // the session ends anyway
	var exists bool
	if err := conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	building := name + "_" + randomHex(4)
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+building); err != nil {
		return "", err
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", err
	}
	u.Path = "/" + building
	migrated := func() error {
		s, err := sqlstore.Open(ctx, u.String())
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Migrate(ctx)
	}
	if err := migrated(); err != nil {
		_, _ = conn.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+building+` WITH (FORCE)`)
		return "", err
	}
	if _, err := conn.ExecContext(ctx, `ALTER DATABASE `+building+` RENAME TO `+name); err != nil {
		return "", err
	}
	return name, nil
}

// postgresAdmin returns the URL of the PostgreSQL server's admin database,
// skipping the test (failing it under CI=true) when the server does not
// answer.
func postgresAdmin(tb testing.TB) string {
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
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		msg := fmt.Sprintf("PostgreSQL is not reachable at %s (set FLEETWATCH_TEST_POSTGRES_URL): %v", u.Redacted(), err)
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return adminURL
}

// newPostgresDatabase creates the database fleetwatch_test_<random>, a copy
// of template unless it is "", and drops it, with any connection still open
// to it, when the test ends.
func newPostgresDatabase(tb testing.TB, template string) string {
	tb.Helper()
	adminURL := postgresAdmin(tb)
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
	name := "fleetwatch_test_" + randomHex(8)
	create := `CREATE DATABASE ` + name
	if template != "" {
		create += ` TEMPLATE ` + template
	}
	if _, err := admin.ExecContext(ctx, create); err != nil {
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
