package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// A feed change (SaveAnalyses) opens or resolves the exposures of
// thousands of sites and recounts as many sites in one transaction. The
// triggers of 00014 would count them row by row (several inserts per
// exposure on SQLite, a trigger call per site on PostgreSQL), so that
// writer counts them itself: withCountersPaused pauses the triggers
// (00017), the statements add what they changed up in a counterDeltas, and
// a few aggregated rows are written before the triggers resume. Every
// other writer is counted by the triggers.

// counterDeltas are the rows of the counter tables that the statements of
// a paused writer add up: what the triggers would have inserted, summed by
// key.
type counterDeltas struct {
	open     map[openKey]int
	instants map[instantKey]int
	sites    map[int64]*siteDelta // by organization
}

type openKey struct {
	org      int64
	severity string
	dueDay   string
}

type instantKey struct {
	org  int64
	kind int
	day  string
}

type siteDelta struct{ sites, updates, withSecurity int64 }

// utcDay is the day of a time as the counters key it: its UTC date (what
// the PostgreSQL triggers cast, the first ten characters of the UTC text
// SQLite stores).
func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// exposure counts an exposure row as the triggers do, sign 1 for a row
// (or state) that appears and -1 for one that goes: one open exposure by
// severity and due day while unresolved, and each of its instants.
func (c *counterDeltas) exposure(org int64, severity string, e fleetwatch.ExposureSpan, sign int) {
	if e.ResolvedAt == nil {
		c.open[openKey{org, severity, utcDay(e.DueAt)}] += sign
	}
	e.Instants(func(kind int, t time.Time) { c.instants[instantKey{org, kind, utcDay(t)}] += sign })
}

// site counts a site row as the triggers do: a site that is not deleted,
// its outstanding updates and whether it has a security update.
func (c *counterDeltas) site(org int64, deleted bool, updates, security int64, sign int64) {
	if deleted {
		return
	}
	d := c.sites[org]
	if d == nil {
		d = &siteDelta{}
		c.sites[org] = d
	}
	d.sites += sign
	d.updates += sign * updates
	if security > 0 {
		d.withSecurity += sign
	}
}

// withCountersPaused runs fn with the counter triggers paused and writes
// what fn counted in c, in the transaction. fn must count every exposure
// and site row its statements write.
func withCountersPaused(ctx context.Context, tx *sql.Tx, d *dialect, fn func(c *counterDeltas) error) error {
	pause, resume := `INSERT INTO counters_paused (id) VALUES (1)`, `DELETE FROM counters_paused`
	if d == postgres {
		pause, resume = `SELECT set_config('fleetwatch.counters', 'off', true)`, `SELECT set_config('fleetwatch.counters', 'on', true)`
	}
	if _, err := tx.ExecContext(ctx, pause); err != nil {
		return fmt.Errorf("pause counters: %w", err)
	}
	c := &counterDeltas{open: map[openKey]int{}, instants: map[instantKey]int{}, sites: map[int64]*siteDelta{}}
	if err := fn(c); err != nil {
		return err
	}
	if err := c.write(ctx, tx, d); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, resume); err != nil {
		return fmt.Errorf("resume counters: %w", err)
	}
	return nil
}

// write inserts the rows of c that are not zero.
func (c *counterDeltas) write(ctx context.Context, tx *sql.Tx, d *dialect) error {
	tables := []struct {
		insert string
		dayCol int // the column holding a day (-1: none), a DATE on PostgreSQL
		rows   [][]any
	}{
		{insert: `INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)`, dayCol: 2},
		{insert: `INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)`, dayCol: 2},
		{insert: `INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)`, dayCol: -1},
	}
	for k, n := range c.open {
		if n != 0 {
			tables[0].rows = append(tables[0].rows, []any{k.org, k.severity, k.dueDay, n})
		}
	}
	for k, n := range c.instants {
		if n != 0 {
			tables[1].rows = append(tables[1].rows, []any{k.org, k.kind, k.day, n})
		}
	}
	for org, s := range c.sites {
		if *s != (siteDelta{}) {
			tables[2].rows = append(tables[2].rows, []any{org, s.sites, s.updates, s.withSecurity})
		}
	}
	for _, t := range tables {
		for chunk := range chunks(t.rows, d.rowBatch(4)) {
			var cs conds
			values := make([]string, len(chunk))
			for i, row := range chunk {
				ph := make([]string, len(row))
				for j, v := range row {
					ph[j] = cs.arg(v)
					if j == t.dayCol && d == postgres {
						ph[j] = "CAST(" + ph[j] + " AS DATE)"
					}
				}
				values[i] = "(" + strings.Join(ph, ", ") + ")"
			}
			if _, err := tx.ExecContext(ctx, t.insert+` VALUES `+strings.Join(values, ", "), cs.args...); err != nil {
				return fmt.Errorf("write counters: %w", err)
			}
		}
	}
	return nil
}
