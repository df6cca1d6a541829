package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
)

// ErrBackupPostgres is BackupTo's answer on PostgreSQL, whose own tools take
// a consistent copy better than Fleetwatch could.
var ErrBackupPostgres = errors.New("fleetwatch backup copies SQLite databases only; back up PostgreSQL with pg_dump " +
	"(pg_dump --format=custom --file=fleetwatch.dump \"$FLEETWATCH_DATABASE_URL\") and keep the secret key with it")

// BackupTo writes a consistent copy of a SQLite database to the file path,
// which must not exist, while other connections and processes go on reading
// and writing: VACUUM INTO reads one snapshot of the database (WAL readers do
// not block the writer) and writes it compacted, without its WAL. It runs on
// a reader connection, so it never holds the write lock: pushes go on being
// stored while it runs.
func (s *Store) BackupTo(ctx context.Context, path string) error {
	if s.d != sqliteDialect {
		return ErrBackupPostgres
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s exists already", path)
	}
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	// VACUUM INTO writes only the new file, but query_only forbids it all
	// the same: this reader lifts it, and is closed rather than returned to
	// the pool of read-only connections.
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		_ = conn.Close()
	}()
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		_ = os.Remove(path) // a partial copy is no backup
		return fmt.Errorf("backup: vacuum into %s: %w", path, err)
	}
	return nil
}

// IsEmpty reports whether the database holds nothing of Fleetwatch's: no
// tables at all, or no user, organization or site. restore refuses to
// overwrite a database that is not empty.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var tables int
	q := `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('users', 'organizations', 'sites')`
	if s.d != sqliteDialect {
		q = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('users', 'organizations', 'sites')`
	}
	if err := s.rdb.QueryRowContext(ctx, q).Scan(&tables); err != nil {
		return false, fmt.Errorf("look for tables: %w", err)
	}
	if tables < 3 {
		return tables == 0, nil
	}
	var found bool
	err := s.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM organizations) OR EXISTS (SELECT 1 FROM sites)`).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("look for data: %w", err)
	}
	return !found, nil
}
