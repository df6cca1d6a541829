package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// The exposure counters of migration 00014: rows of +1/-1 inserted by the
// writers of exposures (counters.go), by organization, folded by
// CompactExposureCounters. They count the exposures of deleted sites too
// (the readers subtract those, few) and cover the days before today (the
// readers count today live): so every figure equals the one computed from
// the exposures themselves.

// dayArg is a placeholder for a UTC day compared with a DATE column
// (PostgreSQL) or a YYYY-MM-DD text (SQLite).
func (s *Store) dayArg(c *conds, t time.Time) string {
	p := c.arg(t.UTC().Format(time.DateOnly))
	if s.d == postgres {
		return "CAST(" + p + " AS DATE)"
	}
	return p
}

// counterScope bounds counter rows d to the organizations of the scope
// that are not deleted.
func counterScope(sc fleetwatch.ReportScope) *conds {
	c := &conds{}
	c.add("d.organization_id IN (SELECT o.id FROM organizations o WHERE NOT o.is_deleted)")
	if sc.OrganizationID != 0 {
		c.add("d.organization_id = " + c.arg(sc.OrganizationID))
	}
	return c
}

// deletedSiteExposures bounds exposures e to the deleted sites ds of the
// scope's organizations that are not deleted.
func deletedSiteExposures(sc fleetwatch.ReportScope) (*conds, string) {
	c := &conds{}
	c.add("ds.is_deleted")
	c.add("e.organization_id IN (SELECT o.id FROM organizations o WHERE NOT o.is_deleted)")
	if sc.OrganizationID != 0 {
		c.add("e.organization_id = " + c.arg(sc.OrganizationID))
	}
	return c, "FROM sites ds JOIN exposures e ON e.site_id = ds.id"
}

// openExposureCounts counts the open exposures of a fleet or organization
// scope by severity, and those past their deadline at sc.Now, from the
// counters: every day's deadlines before today from the counters, today's
// live (an index range of the open deadlines), less the deleted sites'.
func (s *Store) openExposureCounts(ctx context.Context, sc fleetwatch.ReportScope) (bySeverity map[string]int, overdue int, err error) {
	today := sc.Now.UTC().Truncate(24 * time.Hour)
	bySeverity = map[string]int{}
	c := counterScope(sc)
	before := s.dayArg(c, today)
	rows, err := s.rdb.QueryContext(ctx, `SELECT d.severity, COALESCE(sum(d.n), 0), COALESCE(sum(CASE WHEN d.due_day < `+before+` THEN d.n ELSE 0 END), 0)
		FROM exposure_open_deltas d `+c.sql()+` GROUP BY d.severity`, c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("summary open exposure counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sev string
		var n, late int
		if err := rows.Scan(&sev, &n, &late); err != nil {
			return nil, 0, fmt.Errorf("scan open exposure counters: %w", err)
		}
		bySeverity[sev] += n
		overdue += late
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("summary open exposure counters: %w", err)
	}
	rows.Close()
	// Less the deleted sites' open exposures (counted above up to today's
	// deadlines).
	c, from := deletedSiteExposures(sc)
	t := c.arg(dbTime(today))
	c.add("e.resolved_at IS NULL")
	rows, err = s.rdb.QueryContext(ctx, `SELECT e.severity, count(*), COALESCE(sum(CASE WHEN e.due_at < `+t+` THEN 1 ELSE 0 END), 0)
		`+from+` `+c.sql()+` GROUP BY e.severity`, c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("summary deleted sites' exposures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sev string
		var n, late int
		if err := rows.Scan(&sev, &n, &late); err != nil {
			return nil, 0, fmt.Errorf("scan deleted sites' exposures: %w", err)
		}
		bySeverity[sev] -= n
		overdue -= late
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("summary deleted sites' exposures: %w", err)
	}
	rows.Close()
	// Plus the deadlines passed today, live.
	c = exposureScope(sc)
	c.add("e.resolved_at IS NULL AND e.due_at >= " + c.arg(dbTime(today)) + " AND e.due_at < " + c.arg(dbTime(sc.Now)))
	var late int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM exposures e `+c.sql(), c.args...).Scan(&late); err != nil {
		return nil, 0, fmt.Errorf("summary exposures due today: %w", err)
	}
	return bySeverity, overdue + late, nil
}

// closureCounts is closures for a fleet or an organization: the whole
// days of each period (after the day it starts, before today) from the
// counters of instants, less the deleted sites'; the rest of the day it
// starts, and today (and later), live.
func (s *Store) closureCounts(ctx context.Context, sc fleetwatch.ReportScope) (closed90, within90, closed30, within30 int, err error) {
	today := sc.Now.UTC().Truncate(24 * time.Hour)
	a90, a30 := sc.Now.AddDate(0, 0, -90), sc.Now.AddDate(0, 0, -30)
	e90, e30 := a90.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1), a30.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	// Whole days [e90, today) and [e30, today).
	c := counterScope(sc)
	d30 := s.dayArg(c, e30)
	c.add(fmt.Sprintf("d.kind IN (%d, %d)", fleetwatch.InstantResolved, fleetwatch.InstantResolvedWithin))
	c.add("d.day >= " + s.dayArg(c, e90) + " AND d.day < " + s.dayArg(c, today))
	rows, err := s.rdb.QueryContext(ctx, `SELECT d.kind, COALESCE(sum(d.n), 0), COALESCE(sum(CASE WHEN d.day >= `+d30+` THEN d.n ELSE 0 END), 0)
		FROM exposure_instant_deltas d `+c.sql()+` GROUP BY d.kind`, c.args...)
	if err != nil {
		return 0, 0, 0, 0, fmt.Errorf("summary closure counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, n90, n30 int
		if err := rows.Scan(&k, &n90, &n30); err != nil {
			return 0, 0, 0, 0, fmt.Errorf("scan closure counters: %w", err)
		}
		if k == fleetwatch.InstantResolved {
			closed90, closed30 = closed90+n90, closed30+n30
		} else {
			within90, within30 = within90+n90, within30+n30
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("summary closure counters: %w", err)
	}
	rows.Close()
	// Less the deleted sites' closures of those days.
	dc, from := deletedSiteExposures(sc)
	t30 := dc.arg(dbTime(e30))
	dc.add("e.resolved_at >= " + dc.arg(dbTime(e90)) + " AND e.resolved_at < " + dc.arg(dbTime(today)))
	var n90, w90, n30, w30 int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(CASE WHEN e.sla_outcome = 'within' THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN e.resolved_at >= `+t30+` THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN e.resolved_at >= `+t30+` AND e.sla_outcome = 'within' THEN 1 ELSE 0 END), 0)
		`+from+` `+dc.sql(), dc.args...).Scan(&n90, &w90, &n30, &w30); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("summary deleted sites' closures: %w", err)
	}
	closed90, within90, closed30, within30 = closed90-n90, within90-w90, closed30-n30, within30-w30
	// Plus the partial first days and today, live.
	c = exposureScope(sc)
	r90 := "(e.resolved_at >= " + c.arg(dbTime(a90)) + " AND e.resolved_at < " + c.arg(dbTime(e90)) + ")"
	r30 := "(e.resolved_at >= " + c.arg(dbTime(a30)) + " AND e.resolved_at < " + c.arg(dbTime(e30)) + ")"
	rt := "e.resolved_at >= " + c.arg(dbTime(today))
	c.add("(" + r90 + " OR " + r30 + " OR " + rt + ")")
	if err := s.rdb.QueryRowContext(ctx, `SELECT
			COALESCE(sum(CASE WHEN `+r90+` OR `+rt+` THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN (`+r90+` OR `+rt+`) AND e.sla_outcome = 'within' THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN `+r30+` OR `+rt+` THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN (`+r30+` OR `+rt+`) AND e.sla_outcome = 'within' THEN 1 ELSE 0 END), 0)
		FROM exposures e `+c.sql(), c.args...).Scan(&n90, &w90, &n30, &w30); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("summary closures of partial days: %w", err)
	}
	return closed90 + n90, within90 + w90, closed30 + n30, within30 + w30, nil
}

// ExposureTrendDays counts the instants of the exposures of a fleet or
// organization scope (sc.SiteID is 0) by kind and day like ExposureDays,
// from the counters, but of every exposure of the scope, not only the ones
// alive in the period: the others' instants are all before the period
// (or after its end), or come in pairs on the same day (a deadline after
// the resolution opens and closes "overdue" at once), so that every figure
// of a trend, a difference of running sums, is the same. A site's trend
// (or a period not starting at a midnight) reads ExposureDays.
func (s *Store) ExposureTrendDays(ctx context.Context, sc fleetwatch.ReportScope) (*fleetwatch.ExposureDays, error) {
	if sc.SiteID != 0 || !sc.From.Equal(sc.From.Truncate(24*time.Hour)) {
		return s.ExposureDays(ctx, sc)
	}
	now := sc.Now.UTC()
	today := now.Truncate(24 * time.Hour)
	fromDay := sc.From.UTC().Format(time.DateOnly)
	out := &fleetwatch.ExposureDays{Days: map[string]*[fleetwatch.InstantKinds]int{}}
	add := func(k int, day string, n int) {
		if day < fromDay {
			out.Before[k] += n
			return
		}
		counts := out.Days[day]
		if counts == nil {
			counts = new([fleetwatch.InstantKinds]int)
			out.Days[day] = counts
		}
		counts[k] += n
	}
	// The days before today, from the counters.
	c := counterScope(sc)
	c.add("d.day < " + s.dayArg(c, today))
	rows, err := s.rdb.QueryContext(ctx, `SELECT d.kind, CAST(d.day AS TEXT), sum(d.n) FROM exposure_instant_deltas d `+c.sql()+` GROUP BY d.kind, d.day`, c.args...)
	if err != nil {
		return nil, fmt.Errorf("count exposure instant counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, n int
		var day string
		if err := rows.Scan(&k, &day, &n); err != nil {
			return nil, fmt.Errorf("scan exposure instant counter: %w", err)
		}
		if k < 0 || k >= fleetwatch.InstantKinds {
			return nil, fmt.Errorf("exposure instant counter: kind %d", k)
		}
		if n != 0 {
			add(k, day, n)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count exposure instant counters: %w", err)
	}
	rows.Close()
	// Less the deleted sites' exposures, whose instants before today the
	// counters hold.
	dc, from := deletedSiteExposures(sc)
	if err := s.exposureInstants(ctx, `SELECT e.detected_at, e.due_at, e.resolved_at, COALESCE(e.sla_outcome, '') `+from+` `+dc.sql(), dc.args,
		func(k int, t time.Time) {
			if t.Before(today) {
				add(k, t.UTC().Format(time.DateOnly), -1)
			}
		}); err != nil {
		return nil, err
	}
	// Plus today's instants before now, live: of the exposures detected or
	// resolved since midnight, or open and due since. (A closed exposure
	// due today but resolved before has both of its overdue instants on
	// its deadline, which cancel.)
	c = exposureScope(sc)
	t, n := c.arg(dbTime(today)), c.arg(dbTime(now))
	c.add("((e.detected_at >= " + t + " AND e.detected_at < " + n + ") OR e.resolved_at >= " + t +
		" OR (e.resolved_at IS NULL AND e.due_at >= " + t + " AND e.due_at < " + n + "))")
	if err := s.exposureInstants(ctx, `SELECT e.detected_at, e.due_at, e.resolved_at, COALESCE(e.sla_outcome, '') FROM exposures e `+c.sql(), c.args,
		func(k int, t time.Time) {
			if !t.Before(today) && t.Before(now) {
				add(k, t.UTC().Format(time.DateOnly), 1)
			}
		}); err != nil {
		return nil, err
	}
	return out, nil
}

// exposureInstants calls fn with each instant of the exposures query
// returns (detected, due, resolved, outcome).
func (s *Store) exposureInstants(ctx context.Context, query string, args []any, fn func(kind int, t time.Time)) error {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("list exposure instants: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e fleetwatch.ExposureSpan
		var resolved sql.NullTime
		if err := rows.Scan(&e.DetectedAt, &e.DueAt, &resolved, &e.Outcome); err != nil {
			return fmt.Errorf("scan exposure instants: %w", err)
		}
		if resolved.Valid {
			e.ResolvedAt = &resolved.Time
		}
		e.Instants(fn)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list exposure instants: %w", err)
	}
	return nil
}

// CompactExposureCounters folds the counter rows into one per key (those
// summing to zero go), leaving the rows inserted meanwhile for the next
// run: the writers only insert, so this takes no lock they wait on.
func (s *Store) CompactExposureCounters(ctx context.Context) error {
	for _, t := range []struct{ table, key, sums string }{
		{"exposure_open_deltas", "organization_id, severity, due_day", "n"},
		{"exposure_instant_deltas", "organization_id, kind, day", "n"},
		{"site_count_deltas", "organization_id", "sites, updates_available, with_security"},
	} {
		sums, nonzero := "", ""
		for i, col := range strings.Split(t.sums, ", ") {
			if i > 0 {
				sums, nonzero = sums+", ", nonzero+" OR "
			}
			sums += "sum(" + col + ")"
			nonzero += "sum(" + col + ") <> 0"
		}
		if err := s.inTx(ctx, func(tx *sql.Tx) error {
			var last sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT max(id) FROM `+t.table).Scan(&last); err != nil || !last.Valid {
				return err
			}
			var rows, keys int
			if err := tx.QueryRowContext(ctx, `SELECT count(*), (SELECT count(*) FROM (SELECT 1 FROM `+t.table+` WHERE id <= $1 GROUP BY `+t.key+`) g) FROM `+t.table+` WHERE id <= $1`, last.Int64).Scan(&rows, &keys); err != nil {
				return err
			}
			if rows == keys {
				return nil // nothing to fold
			}
			if s.d == sqliteDialect {
				// One writer: no row can be committed between the two.
				if _, err := tx.ExecContext(ctx, `INSERT INTO `+t.table+` (`+t.key+`, `+t.sums+`)
					SELECT `+t.key+`, `+sums+` FROM `+t.table+` WHERE id <= $1 GROUP BY `+t.key+` HAVING `+nonzero, last.Int64); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE id <= $1`, last.Int64)
				return err
			}
			// On PostgreSQL a writer may hold an id <= last and commit
			// after a first statement ran: the sums are made of exactly
			// the rows the DELETE removes, whenever they were committed.
			_, err := tx.ExecContext(ctx, `WITH del AS (DELETE FROM `+t.table+` WHERE id <= $1 RETURNING `+t.key+`, `+t.sums+`)
				INSERT INTO `+t.table+` (`+t.key+`, `+t.sums+`)
				SELECT `+t.key+`, `+sums+` FROM del GROUP BY `+t.key+` HAVING `+nonzero, last.Int64)
			return err
		}); err != nil {
			return fmt.Errorf("compact %s: %w", t.table, err)
		}
	}
	return nil
}
