package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/fleetwatch/fleetwatch"
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

var sqliteDialect = &dialect{
	name:       "sqlite",
	goose:      goose.DialectSQLite3,
	migrations: "migrations/sqlite",
	// LIKE ignores case in SQLite, for ASCII letters only (there is no ICU).
	ilike:        "LIKE",
	gooseOptions: func() ([]goose.ProviderOption, error) { return nil, nil },
	isUniqueViolation: func(err error, constraint string) bool {
		var sqliteErr *sqlite.Error
		if !errors.As(err, &sqliteErr) || sqliteErr.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			return false
		}
		// "UNIQUE constraint failed: index 'users_email_key'" for an index on
		// an expression; constraints on columns are named by their columns.
		msg := sqliteErr.Error()
		return strings.Contains(msg, "index '"+constraint+"'") || strings.Contains(msg, ": "+constraint)
	},
	// The single writer connection serializes transactions: a row read in
	// one cannot change before it commits, and no two claimers run at once.
	forUpdate:  "",
	lockSite:   "",
	skipLocked: "",
}

// classifySQLite: SQLITE_FULL (the disk, or the database's page limit, is
// full) is ESTORAGEFULL. A file that cannot be opened is no outage to wait
// out, so it stays an internal error.
func classifySQLite(err error) string {
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) && sqliteErr.Code()&0xff == sqlite3.SQLITE_FULL {
		return fleetwatch.ESTORAGEFULL
	}
	return ""
}

// sqlitePragmas apply to every connection of both pools. busy_timeout makes
// a connection wait for a lock held by another process instead of failing.
var sqlitePragmas = []string{
	"busy_timeout(5000)",
	"journal_mode(WAL)",
	"foreign_keys(ON)",
	"synchronous(NORMAL)",
}

// createOwnerOnly creates the database file, empty and readable by its
// owner only, unless it exists: SQLite would create it 0644, and it holds
// password hashes and pushed inventories. SQLite gives the -wal and -shm
// files it creates beside it the database file's mode.
func createOwnerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return fmt.Errorf("create sqlite database: %w", err)
	}
	return f.Close()
}

// openSQLite opens the database file at path with two pools: a single writer
// connection and read-only readers.
func openSQLite(path string) (*Store, error) {
	if path == "" || strings.HasPrefix(path, ":memory:") || strings.ContainsAny(path, "?#") {
		// An in-memory database would be a different one on each connection.
		return nil, fmt.Errorf("open sqlite database: %q is not a file path (sqlite://path/to/file.db)", path)
	}
	if err := createOwnerOnly(path); err != nil {
		return nil, err
	}
	dsn := func(extra url.Values) string {
		q := url.Values{}
		for _, p := range sqlitePragmas {
			q.Add("_pragma", p)
		}
		// Times are written as "2006-01-02 15:04:05.999999999+00:00" in UTC,
		// which the driver parses back from DATETIME columns.
		q.Set("_time_format", "sqlite")
		q.Set("_timezone", "UTC")
		for k, v := range extra {
			q[k] = append(q[k], v...)
		}
		return "file:" + path + "?" + q.Encode()
	}

	open := func(dsn string) (*sql.DB, error) {
		c, err := sqlite.NewConnector(dsn)
		if err != nil {
			return nil, fmt.Errorf("open sqlite database: %w", err)
		}
		return sql.OpenDB(outageConnector{Connector: c, classify: classifySQLite}), nil
	}
	// Page caches (SQLite's default is 2 MiB a connection) bound what each
	// connection keeps of the database in memory: the writer's holds the
	// rows a feed change re-judges across a fleet (10,000 sites), which
	// it reads and then writes; a reader's, the indexes and rows of the
	// reports: 64 MiB for the writer and 16 MiB for each reader at most,
	// less on a smaller database. The writer keeps its temporary files in
	// memory (temp_store): an UPDATE of thousands of rows inside a larger
	// transaction writes the original of every page it changes to a
	// statement journal, with two writes a page to a temporary file
	// otherwise (a tenth of a feed change's CPU).
	db, err := open(dsn(url.Values{"_txlock": {"immediate"}, "_pragma": {"cache_size(-65536)", "temp_store(memory)"}}))
	if err != nil {
		return nil, err
	}
	// One writer: writers of this process queue in database/sql rather than
	// spin on SQLITE_BUSY.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)

	rdb, err := open(dsn(url.Values{"_query_only": {"1"}, "_pragma": {"cache_size(-16384)"}}))
	if err != nil {
		db.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU())
	rdb.SetMaxOpenConns(n)
	rdb.SetMaxIdleConns(n)
	return &Store{db: db, rdb: rdb, d: sqliteDialect}, nil
}
