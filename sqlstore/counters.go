package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// The report counters (exposure_open_deltas, exposure_instant_deltas and
// site_count_deltas, read by reportcounters.go) are kept here, in Go, by
// the transaction that writes the rows they count: every writer of
// exposures, or of a site's organization, deletion or update counts, runs
// in inCountedTx and adds to its counts what each statement changed (a row
// as it was with -1, as it is with +1); the counts go in as a few
// aggregated rows before the transaction commits. Counter rows are only
// inserted (a writer holds no lock on a shared row) and
// CompactExposureCounters folds them. Exposures are counted whatever their
// site (the readers subtract the deleted sites' ones), sites while they are
// not deleted.

// counts are the rows of the counter tables a transaction adds, summed by
// key.
type counts struct {
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

func newCounts() *counts {
	return &counts{open: map[openKey]int{}, instants: map[instantKey]int{}, sites: map[int64]*siteDelta{}}
}

// inCountedTx is inTx for a writer of counted rows: fn adds what it
// changed to c, which is written before the commit.
func (s *Store) inCountedTx(ctx context.Context, fn func(tx *sql.Tx, c *counts) error) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		c := newCounts()
		if err := fn(tx, c); err != nil {
			return err
		}
		return c.write(ctx, tx, s.d)
	})
}

// utcDay is the day of a time as the counters key it: its UTC date.
func utcDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// exposure counts an exposure of the organization with sign (1: a row or
// state that appears, -1: one that goes): one open exposure by severity
// and due day while unresolved, and each of its instants.
func (c *counts) exposure(org int64, severity string, e fleetwatch.ExposureSpan, sign int) {
	if e.ResolvedAt == nil {
		c.open[openKey{org, severity, utcDay(e.DueAt)}] += sign
	}
	e.Instants(func(kind int, t time.Time) { c.instants[instantKey{org, kind, utcDay(t)}] += sign })
}

// site counts a site row with sign: a site that is not deleted, its
// outstanding updates and whether it has a security update.
func (c *counts) site(org int64, deleted bool, updates, security int64, sign int64) {
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

// countedExposure is an exposure's columns the counters count.
type countedExposure struct {
	org      int64
	severity string
	span     fleetwatch.ExposureSpan
}

// exposureCountColumns are the columns scanCountedExposure reads, of
// exposures e.
const exposureCountColumns = `e.organization_id, e.severity, e.detected_at, e.due_at, e.resolved_at, COALESCE(e.sla_outcome, '')`

func scanCountedExposure(sc interface{ Scan(...any) error }, extra ...any) (countedExposure, error) {
	var (
		x        countedExposure
		resolved sql.NullTime
	)
	if err := sc.Scan(append([]any{&x.org, &x.severity, &x.span.DetectedAt, &x.span.DueAt, &resolved, &x.span.Outcome}, extra...)...); err != nil {
		return x, err
	}
	x.span.ResolvedAt = timePtr(resolved)
	return x, nil
}

// add counts x with sign.
func (c *counts) add(x countedExposure, sign int) { c.exposure(x.org, x.severity, x.span, sign) }

// sitesOf counts with sign the sites a query returns (organization_id,
// is_deleted, updates_available, security_updates).
func (c *counts) sitesOf(ctx context.Context, tx *sql.Tx, sign int64, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("count sites: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var org, updates, security int64
		var deleted bool
		if err := rows.Scan(&org, &deleted, &updates, &security); err != nil {
			return fmt.Errorf("count sites: %w", err)
		}
		c.site(org, deleted, updates, security, sign)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("count sites: %w", err)
	}
	return nil
}

// siteCountColumns are the columns sitesOf reads.
const siteCountColumns = `organization_id, is_deleted, updates_available, security_updates`

// write inserts the rows of c that are not zero.
func (c *counts) write(ctx context.Context, tx *sql.Tx, d *dialect) error {
	var open, instants, sites [][]any
	for k, n := range c.open {
		if n != 0 {
			open = append(open, []any{k.org, k.severity, k.dueDay, n})
		}
	}
	for k, n := range c.instants {
		if n != 0 {
			instants = append(instants, []any{k.org, k.kind, k.day, n})
		}
	}
	for org, s := range c.sites {
		if *s != (siteDelta{}) {
			sites = append(sites, []any{org, s.sites, s.updates, s.withSecurity})
		}
	}
	for _, t := range []struct {
		insert string
		dayCol int // the column holding a day (-1: none), a DATE on PostgreSQL
		rows   [][]any
	}{
		{`INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)`, 2, open},
		{`INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)`, 2, instants},
		{`INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)`, -1, sites},
	} {
		if err := insertCounterRows(ctx, tx, d, t.insert, t.dayCol, t.rows); err != nil {
			return err
		}
	}
	return nil
}

// insertCounterRows inserts rows of four values, many a statement.
func insertCounterRows(ctx context.Context, tx *sql.Tx, d *dialect, insert string, dayCol int, rows [][]any) error {
	for chunk := range chunks(rows, d.rowBatch(4)) {
		var cs conds
		values := make([]string, len(chunk))
		for i, row := range chunk {
			ph := make([]string, len(row))
			for j, v := range row {
				ph[j] = cs.arg(v)
				if j == dayCol && d == postgres {
					ph[j] = "CAST(" + ph[j] + " AS DATE)"
				}
			}
			values[i] = "(" + strings.Join(ph, ", ") + ")"
		}
		if _, err := tx.ExecContext(ctx, insert+` VALUES `+strings.Join(values, ", "), cs.args...); err != nil {
			return fmt.Errorf("write counters: %w", err)
		}
	}
	return nil
}

// Each site keeps the counts of its outstanding updates, so that a site's
// summary adds up its row instead of scanning its site_modules rows. Every
// transaction that changes a site's site_modules brings them up to date
// before it commits, and with them bumps the site's modules_generation,
// which keys the cached pages of its module list (FindSiteModulesStamp): a
// page is never served after such a commit. A push recounts the sites it
// wrote (refreshSiteCounters). A recompute writes one project's row on
// each of thousands of sites, which run 50-150 projects each: it reads
// what the rows it changes counted for before and after, and adds the
// difference (adjustSiteCounters), so that its cost does not grow with the
// projects a site runs. One that changed no row's update_available or
// security_update of a site only bumps the generation (restampSites).

// outstanding is the rule of a site's counts: which of its site_modules
// rows (of alias) count in updates_available and which in
// security_updates, as conditions. Both ways of counting use it.
func outstanding(alias string) (update, security string) {
	return alias + `.update_available AND NOT ` + alias + `.security_update`, alias + `.security_update`
}

// recountSet, after the SET of an UPDATE of sites, counts both in one pass
// over the site's rows.
var recountSet = func() string {
	update, security := outstanding("sm")
	return `modules_generation = modules_generation + 1,
	(updates_available, security_updates) = (SELECT count(*) FILTER (WHERE ` + update + `),
		count(*) FILTER (WHERE ` + security + `) FROM site_modules sm WHERE sm.site_id = sites.id)`
}()

// rowCounts selects what a row of alias adds to its site's two counts.
func rowCounts(alias string) string {
	update, security := outstanding(alias)
	return `CASE WHEN ` + update + ` THEN 1 ELSE 0 END, CASE WHEN ` + security + ` THEN 1 ELSE 0 END`
}

// restampSites bumps the modules_generation of the sites, whose module
// list changed but not their counts.
func restampSites(ctx context.Context, tx *sql.Tx, d *dialect, siteIDs []int64) error {
	for chunk := range chunks(siteIDs, d.inBatch()) {
		var c conds
		if _, err := tx.ExecContext(ctx, `UPDATE sites SET modules_generation = modules_generation + 1 WHERE `+c.in(d, "id", chunk), c.args...); err != nil {
			return fmt.Errorf("restamp sites: %w", err)
		}
	}
	return nil
}

// refreshSiteCounters recounts the outstanding updates of the sites and
// counts the change in c.
func refreshSiteCounters(ctx context.Context, tx *sql.Tx, d *dialect, siteIDs []int64, c *counts) error {
	return updateCountedSites(ctx, tx, d, siteIDs, c, func(*conds) string { return recountSet })
}

// adjustSiteCounters adds to the counts of each site of deltas what its
// rows' changes added (updates_available, security_updates), bumps its
// modules_generation, and counts the change in c. A change takes few
// distinct deltas, so the sites of one are written by one statement per
// chunk.
func adjustSiteCounters(ctx context.Context, tx *sql.Tx, d *dialect, deltas map[int64][2]int64, c *counts) error {
	sites := map[[2]int64][]int64{}
	for id, delta := range deltas {
		sites[delta] = append(sites[delta], id)
	}
	for _, delta := range slices.SortedFunc(maps.Keys(sites), func(a, b [2]int64) int { return slices.Compare(a[:], b[:]) }) {
		slices.Sort(sites[delta])
		err := updateCountedSites(ctx, tx, d, sites[delta], c, func(cs *conds) string {
			return `modules_generation = modules_generation + 1, updates_available = updates_available + ` + cs.arg(delta[0]) +
				`, security_updates = security_updates + ` + cs.arg(delta[1])
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// updateCountedSites updates the sites by set (what follows the SET of an
// UPDATE of sites; it adds its arguments after the sites'), in chunks, and
// counts in c each site as it was (-1) and as it is (+1). The sites must be
// locked (the writers lock them first; SQLite has one writer), so that the
// counts read before the UPDATE are those it replaces.
func updateCountedSites(ctx context.Context, tx *sql.Tx, d *dialect, ids []int64, c *counts, set func(*conds) string) error {
	for chunk := range chunks(ids, d.inBatch()) {
		var cs conds
		in := cs.in(d, "id", chunk)
		if err := c.sitesOf(ctx, tx, -1, `SELECT `+siteCountColumns+` FROM sites WHERE `+in, cs.args...); err != nil {
			return err
		}
		if err := c.sitesOf(ctx, tx, 1, `UPDATE sites SET `+set(&cs)+` WHERE `+in+` RETURNING `+siteCountColumns, cs.args...); err != nil {
			return err
		}
	}
	return nil
}

// RebuildCounters recounts every site's outstanding updates and the
// report counters from scratch, for data written around the store
// (generated benchmark fleets).
func (s *Store) RebuildCounters(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`UPDATE sites SET ` + recountSet, `DELETE FROM exposure_open_deltas`, `DELETE FROM exposure_instant_deltas`, `DELETE FROM site_count_deltas`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("rebuild counters: %w", err)
			}
		}
		c := newCounts()
		if err := c.sitesOf(ctx, tx, 1, `SELECT `+siteCountColumns+` FROM sites`); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+exposureCountColumns+` FROM exposures e`)
		if err != nil {
			return fmt.Errorf("rebuild counters: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			x, err := scanCountedExposure(rows)
			if err != nil {
				return fmt.Errorf("rebuild counters: %w", err)
			}
			c.add(x, 1)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("rebuild counters: %w", err)
		}
		rows.Close()
		return c.write(ctx, tx, s.d)
	})
}
