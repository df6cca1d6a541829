package sqlstore

import (
	"context"
	"database/sql"
)

// Test hooks, visible to package sqlstore_test only.

func (s *Store) WriterDB() *sql.DB { return s.db }
func (s *Store) ReaderDB() *sql.DB { return s.rdb }

var EscapeLike = escapeLike

// MigrateTo applies the migrations up to version, for tests of a migration
// on data written before it.
func (s *Store) MigrateTo(ctx context.Context, version int64) error {
	p, err := s.migrationProvider()
	if err != nil {
		return err
	}
	_, err = p.UpTo(ctx, version)
	return err
}
