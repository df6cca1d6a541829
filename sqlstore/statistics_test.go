package sqlstore_test

import (
	"context"
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestRefreshStatistics: SQLite gets the planner's statistics of the
// tables that have data (without them it drove a project's re-rate from
// the wrong index); PostgreSQL's autovacuum keeps its own, so there it
// only must not fail.
func TestRefreshStatistics(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		// As serve does: once at start, on an empty database.
		if err := s.RefreshStatistics(ctx); err != nil {
			t.Fatal(err)
		}
		seedFleet(t, s, 300, "8.x-1.0", "views_bulk_operations", "pathauto")
		analysed := func() int {
			if s.Dialect() != "sqlite" {
				return 0
			}
			var n int
			// sqlite_stat1 exists once any ANALYZE ran.
			err := s.WriterDB().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'`).Scan(&n)
			if err != nil || n == 0 {
				return 0
			}
			// The rows counted in the table's statistics (0: none, or
			// taken while it was empty).
			if err := s.WriterDB().QueryRowContext(ctx, `SELECT COALESCE(max(CAST(stat AS INTEGER)), 0) FROM sqlite_stat1 WHERE tbl = 'site_modules'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := analysed(); n != 0 {
			t.Fatalf("site_modules has statistics of %d rows before a refresh after it grew", n)
		}
		for range 2 { // the second finds nothing to do
			if err := s.RefreshStatistics(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if n := analysed(); s.Dialect() == "sqlite" && n < 600 {
			t.Errorf("site_modules has statistics of %d rows after RefreshStatistics, want its 600", n)
		}
	})
}
