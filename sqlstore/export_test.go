package sqlstore

import "database/sql"

// Test hooks, visible to package sqlstore_test only.

func (s *Store) WriterDB() *sql.DB { return s.db }
func (s *Store) ReaderDB() *sql.DB { return s.rdb }

var EscapeLike = escapeLike
