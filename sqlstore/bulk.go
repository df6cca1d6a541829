package sqlstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// BulkInsert writes rows into table in one transaction, many rows per
// statement. It is for generated data (benchmarks), not for the request
// path: table and cols must be plain identifiers. Rows that carry their own
// id move PostgreSQL's identity past them.
func (s *Store) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if !identifier.MatchString(table) {
		return fmt.Errorf("bulk insert: bad table %q", table)
	}
	for _, c := range cols {
		if !identifier.MatchString(c) {
			return fmt.Errorf("bulk insert: bad column %q", c)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	per := max(1, 2000/len(cols)) // small statements: SQLite parses long ones slowly
	for i := 0; i < len(rows); i += per {
		chunk := rows[i:min(i+per, len(rows))]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*len(cols))
		fmt.Fprintf(&sb, "INSERT INTO %s (%s) ", table, strings.Join(cols, ", "))
		if s.d == postgres && cols[0] == "id" {
			sb.WriteString("OVERRIDING SYSTEM VALUE ") // ids are GENERATED ALWAYS
		}
		sb.WriteString("VALUES ")
		for r, row := range chunk {
			if len(row) != len(cols) {
				return fmt.Errorf("bulk insert %s: row of %d values for %d columns", table, len(row), len(cols))
			}
			if r > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for c, v := range row {
				if c > 0 {
					sb.WriteString(", ")
				}
				args = append(args, v)
				fmt.Fprintf(&sb, "$%d", len(args))
			}
			sb.WriteString(")")
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("bulk insert %s: %w", table, err)
		}
	}
	if s.d == postgres && len(cols) > 0 && cols[0] == "id" {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))`, table, table)); err != nil {
			return fmt.Errorf("advance %s ids: %w", table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// DeleteAll empties tables, in the order given, for generated data.
func (s *Store) DeleteAll(ctx context.Context, tables ...string) error {
	for _, t := range tables {
		if !identifier.MatchString(t) {
			return fmt.Errorf("delete all: bad table %q", t)
		}
		if _, err := s.db.ExecContext(ctx, "DELETE FROM "+t); err != nil {
			return fmt.Errorf("empty %s: %w", t, err)
		}
	}
	return nil
}

// Analyze settles generated data as a live database would be: the report
// counters compacted, their tables rewritten at the size they keep between
// compactions (a bulk load leaves them holding every generated exposure's
// deltas, then mostly dead rows), and the planner's statistics (and, on
// PostgreSQL, the visibility map that index-only scans need) updated, as
// autovacuum does in time.
func (s *Store) Analyze(ctx context.Context) error {
	if err := s.CompactExposureCounters(ctx); err != nil {
		return err
	}
	qs := []string{"VACUUM", "ANALYZE"}
	if s.d == postgres {
		qs = []string{"VACUUM (FULL) exposure_open_deltas, exposure_instant_deltas, site_count_deltas", "VACUUM (ANALYZE)"}
	}
	for _, q := range qs {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
	}
	return nil
}

// RefreshStatistics keeps the query planner's statistics current as the
// data grows. SQLite has none until ANALYZE runs, and without them it
// guesses that an equality on any index matches a few rows: it then
// drives a join of one project's thousands of open exposures from the
// project's index once per chunk of sites, which turned a re-rate of
// 10,000 sites quadratic. PRAGMA optimize analyses the tables that have
// no statistics yet or have grown many times over since (with
// analysis_limit, each from a sample of its indexes, so it stays cheap on
// a large database); the leader runs it with every rollup. PostgreSQL's
// autovacuum does this itself.
func (s *Store) RefreshStatistics(ctx context.Context) error {
	if s.d != sqliteDialect {
		return nil
	}
	conn, err := s.db.Conn(ctx) // the one writer connection, which the pragmas configure
	if err != nil {
		return fmt.Errorf("refresh statistics: %w", err)
	}
	defer conn.Close()
	for _, q := range []string{`PRAGMA analysis_limit = 1000`, `PRAGMA optimize = 0x10002`} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("refresh statistics: %w", err)
		}
	}
	return nil
}
