package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/google/uuid"
	"github.com/pressly/goose/v3"
)

// Store is the SQL implementation of the fleetwatch store interfaces. Open
// returns one; its methods are safe for concurrent use.
type Store struct {
	// db takes every write and every transaction. On SQLite it is a pool of
	// exactly one connection; on PostgreSQL it is the only pool.
	db *sql.DB
	// rdb takes reads outside transactions. On SQLite it is a pool of
	// read-only connections; on PostgreSQL it is db.
	rdb *sql.DB
	d   *dialect

	// Now, when set, is the clock of the ingest writes: when a payload was
	// received (audit_logs.created_at) and when a snapshot was applied,
	// with the exposures it opened and resolved. time.Now when nil;
	// `fleetwatch demo` plays a year through it. Set it before use.
	Now func() time.Time

	// catalogIDs caches the ids of modules and module versions for the
	// ingest batches.
	catalogIDs catalogCache
}

// Store implements every store interface of the domain.
var (
	_ fleetwatch.OrganizationStore = (*Store)(nil)
	_ fleetwatch.UserStore         = (*Store)(nil)
	_ fleetwatch.SiteStore         = (*Store)(nil)
	_ fleetwatch.ActivityStore     = (*Store)(nil)
	_ fleetwatch.AuthStore         = (*Store)(nil)
	_ fleetwatch.IngestStore       = (*Store)(nil)
	_ fleetwatch.SLAPolicyStore    = (*Store)(nil)
	_ fleetwatch.EventStore        = (*Store)(nil)
	_ fleetwatch.DeliveryStore     = (*Store)(nil)
	_ fleetwatch.FeedStore         = (*Store)(nil)
	_ fleetwatch.AdvisoryStore     = (*Store)(nil)
	_ fleetwatch.AnalysisStore     = (*Store)(nil)
	_ fleetwatch.ExposureStore     = (*Store)(nil)
	_ fleetwatch.AcceptanceStore   = (*Store)(nil)
	_ fleetwatch.ReportStore       = (*Store)(nil)
	_ fleetwatch.RollupStore       = (*Store)(nil)
	_ fleetwatch.Leadership        = (*Store)(nil)
)

// Open connects to the database of databaseURL — sqlite://path/to/file.db or
// postgres://… (postgresql://…) — and checks that it answers. It does not
// migrate; call Migrate.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	var (
		s   *Store
		err error
	)
	switch {
	case strings.HasPrefix(databaseURL, "sqlite://"):
		s, err = openSQLite(strings.TrimPrefix(databaseURL, "sqlite://"))
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		s, err = openPostgres(databaseURL)
	default:
		return nil, errors.New("open database: the URL must start with sqlite:// or postgres://")
	}
	if err != nil {
		return nil, err
	}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("open %s database: %w", s.d.name, err)
	}
	return s, nil
}

// Dialect returns the name of the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	if s.rdb != s.db {
		if err := s.rdb.PingContext(ctx); err != nil {
			return fmt.Errorf("ping readers: %w", err)
		}
	}
	return nil
}

// Close closes the connection pools.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// querier is what *sql.DB and *sql.Tx have in common, so that the helpers
// that read a row serve both a plain read and a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction on the writer and commits when fn returns nil.
// On SQLite the writer begins transactions with BEGIN IMMEDIATE, so a
// transaction that reads before it writes cannot fail to upgrade its lock.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return runTx(ctx, s.db, fn)
}

// runTx runs fn in a transaction begun on b (the writer pool, or its one
// connection) and commits when fn returns nil.
func runTx(ctx context.Context, b interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, fn func(tx *sql.Tx) error) error {
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback() // the error of fn is the one that matters
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// testHookEnqueueTx, when set by a test, sees the inbox's transaction.
var testHookEnqueueTx func(*sql.Tx)

// inDurableTx is inTx for a write that must survive an operating system
// crash or a power loss once it commits: the ingest inbox, whose 202 says
// "durably stored". PostgreSQL's commits are (synchronous_commit on). On
// SQLite the connections run synchronous=NORMAL, under which a commit in
// WAL mode is safe from a crash of the process but not of the machine:
// the WAL is synced at checkpoints only. This transaction runs with
// synchronous=FULL, which syncs the WAL at its commit, and the writer goes
// back to NORMAL after; the cost is in docs/performance.md.
func (s *Store) inDurableTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.d != sqliteDialect {
		return s.inTx(ctx, fn)
	}
	conn, err := s.db.Conn(ctx) // the one writer connection
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = FULL`); err != nil {
		return fmt.Errorf("begin: synchronous=FULL: %w", err)
	}
	// Back to NORMAL whatever happens (a writer left at FULL is only
	// slower), even when ctx ended.
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = NORMAL`) //nolint:errcheck
	return runTx(ctx, conn, fn)
}

// now is the time the store writes: UTC, truncated to PostgreSQL's precision
// so that a value reads back equal on both databases.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// clock is now, or the time of s.Now when set.
func (s *Store) clock() time.Time {
	if s.Now != nil {
		return dbTime(s.Now())
	}
	return now()
}

// dbTime prepares a time for writing, like now.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// dbTimePtr is dbTime for a nullable column.
func dbTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dbTime(*t)
}

// timePtr returns the time of a nullable column, in UTC.
func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time.UTC()
	return &v
}

// stringPtr returns the text of a nullable column.
func stringPtr(s sql.NullString) *string {
	if !s.Valid {
		return nil
	}
	return &s.String
}

// nullID turns the id 0, meaning none, into NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// newUUID returns a new random UUID for a row.
func newUUID() string { return uuid.NewString() }

// jsonOr returns the JSON text b, or def when b is empty.
func jsonOr(b []byte, def string) string {
	if len(b) == 0 {
		return def
	}
	return string(b)
}

// dialect is what differs between PostgreSQL and SQLite. Everything else is
// shared SQL.
type dialect struct {
	name  string        // "postgres" or "sqlite", as Dialect returns it
	goose goose.Dialect // the goose dialect of the migrations
	// migrations is the folder of the embedded migrations of this dialect.
	migrations string
	// ilike is the operator of a case-insensitive LIKE.
	ilike string
	// gooseOptions are extra options of the migration provider.
	gooseOptions func() ([]goose.ProviderOption, error)
	// isUniqueViolation reports whether err is a violation of the unique
	// constraint or index named constraint.
	isUniqueViolation func(err error, constraint string) bool
	// forUpdate locks the rows a SELECT reads until the transaction ends
	// (SQLite's one writer makes that implicit).
	forUpdate string
	// lockSite locks a site row while its modules change: FOR NO KEY UPDATE
	// on PostgreSQL serializes writers of the site all the same, but does not
	// block the pushes' audit_logs INSERTs, whose foreign key takes a KEY
	// SHARE lock on the site.
	lockSite string
	// skipLocked makes concurrent claimers of queue rows skip each other's.
	skipLocked string
}
