package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// scopeConds bounds a report's rows to visible sites of the scope; the
// query must join sites s and organizations o.
func scopeConds(sc fleetwatch.ReportScope) *conds {
	c := &conds{}
	c.add("NOT s.is_deleted AND NOT o.is_deleted")
	if sc.OrganizationID != 0 {
		c.add("s.organization_id = " + c.arg(sc.OrganizationID))
	}
	if sc.SiteID != 0 {
		c.add("s.id = " + c.arg(sc.SiteID))
	}
	return c
}

const siteScopeFrom = `FROM sites s JOIN organizations o ON o.id = s.organization_id`

// Summary counts the fleet of the scope at sc.Now. Every figure comes from
// counters kept on the sites or from narrow indexes (00012), never from a
// scan of site_modules or a join of every exposure with its site:
//   - the site figures: a fleet's or an organization's from the report
//     counters (counters.go) and the index of last_seen_at, a site's from
//     its row;
//   - projects: one index probe per project (site_modules by project, in
//     site order), stopping at the first visible site of the scope;
//   - open exposures by severity and overdue: a fleet's or an
//     organization's from the report counters (counters.go), a
//     site's from the index of its open exposures;
//   - the compliance over 30 and 90 days: an index-only scan of a partial
//     index, leaving out the exposures of deleted sites (few) by an
//     anti-join.
//
// A site filter narrows each of these to one site.
func (s *Store) Summary(ctx context.Context, sc fleetwatch.ReportScope) (*fleetwatch.SummaryReport, error) {
	r := &fleetwatch.SummaryReport{GeneratedAt: sc.Now.UTC().Format(time.RFC3339)}
	if err := s.summarySites(ctx, sc, r); err != nil {
		return nil, err
	}
	// One indexed probe per project, in the order of the project's index
	// so that the planner walks it and stops at the first site in scope (a
	// LIMIT 1 subquery runs as a nested loop; EXISTS let PostgreSQL hash
	// all of site_modules: 0.5 s here).
	c := scopeConds(sc)
	c.add("sm.module_id = m.id")
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM modules m WHERE (SELECT 1
		FROM site_modules sm JOIN sites s ON s.id = sm.site_id JOIN organizations o ON o.id = s.organization_id `+c.sql()+`
		ORDER BY sm.module_id, sm.site_id LIMIT 1) IS NOT NULL`,
		c.args...).Scan(&r.Projects); err != nil {
		return nil, fmt.Errorf("summary projects: %w", err)
	}
	bySeverity, overdue, err := s.openExposures(ctx, sc)
	if err != nil {
		return nil, err
	}
	for sev, n := range bySeverity {
		r.SecurityUpdates += n
		switch sev {
		case fleetwatch.SeverityHighlyCritical:
			r.SecurityHighlyCritical = n
		case fleetwatch.SeverityCritical:
			r.SecurityCritical = n
		case fleetwatch.SeverityModeratelyCritical:
			r.SecurityModerately = n
		case fleetwatch.SeverityLessCritical:
			r.SecurityLessCritical = n
		case fleetwatch.SeverityNotCritical:
			r.SecurityNotCritical = n
		}
	}
	r.OverdueExposures = overdue
	// Acceptances are few: count them from their side.
	c = scopeConds(sc)
	c.add("e.resolved_at IS NULL AND a.revoked_at IS NULL AND a.expires_at > " + c.arg(dbTime(sc.Now)))
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(DISTINCT e.id) FROM exposure_acceptances a JOIN exposures e ON e.id = a.exposure_id
		JOIN sites s ON s.id = e.site_id JOIN organizations o ON o.id = s.organization_id `+c.sql(), c.args...).Scan(&r.AcceptedExposures); err != nil {
		return nil, fmt.Errorf("summary accepted: %w", err)
	}
	closed90, within90, closed30, within30, err := s.closures(ctx, sc)
	if err != nil {
		return nil, err
	}
	if closed30 > 0 {
		r.Compliance30d = ptrTo(100 * float64(within30) / float64(closed30))
	}
	if closed90 > 0 {
		r.Compliance90d = ptrTo(100 * float64(within90) / float64(closed90))
	}
	return r, nil
}

func ptrTo[T any](v T) *T { return &v }

// closures counts the exposures of the scope closed in the last 90 and 30
// days, and those closed within their deadline: a site's from the index of
// closures, a fleet's or an organization's from the report counters (counters.go).
func (s *Store) closures(ctx context.Context, sc fleetwatch.ReportScope) (closed90, within90, closed30, within30 int, err error) {
	if sc.SiteID == 0 {
		return s.closureCounts(ctx, sc)
	}
	// The 90 days of closures in one pass, the last 30 apart.
	c := exposureScope(sc)
	d30 := c.arg(dbTime(sc.Now.AddDate(0, 0, -30)))
	c.add("e.resolved_at >= " + c.arg(dbTime(sc.Now.AddDate(0, 0, -90))))
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*), COALESCE(sum(CASE WHEN e.sla_outcome = 'within' THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN e.resolved_at >= `+d30+` THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN e.resolved_at >= `+d30+` AND e.sla_outcome = 'within' THEN 1 ELSE 0 END), 0)
		FROM exposures e `+c.sql(), c.args...).Scan(&closed90, &within90, &closed30, &within30); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("summary compliance: %w", err)
	}
	return closed90, within90, closed30, within30, nil
}

// summarySites fills the site figures of the summary: a fleet's or an
// organization's from the report counters (counters.go) and the
// index of last_seen_at, a site's from its row.
func (s *Store) summarySites(ctx context.Context, sc fleetwatch.ReportScope, r *fleetwatch.SummaryReport) error {
	dayAgo, staleAt := dbTime(sc.Now.Add(-24*time.Hour)), dbTime(sc.Now.Add(-fleetwatch.StaleAfter))
	if sc.SiteID == 0 {
		c := counterScope(sc)
		if err := s.rdb.QueryRowContext(ctx, `SELECT COALESCE(sum(d.sites), 0), COALESCE(sum(d.updates_available), 0), COALESCE(sum(d.with_security), 0)
			FROM site_count_deltas d `+c.sql(), c.args...).Scan(&r.Sites, &r.UpdatesAvailable, &r.SitesWithSecurity); err != nil {
			return fmt.Errorf("summary site counters: %w", err)
		}
		c = &conds{}
		org := "s.organization_id IN (SELECT o.id FROM organizations o WHERE NOT o.is_deleted)"
		if sc.OrganizationID != 0 {
			org += " AND s.organization_id = " + c.arg(sc.OrganizationID)
		}
		// Three ranges of the index of last_seen_at (an OR of the never
		// seen and the long unseen would scan the table).
		day, stale := c.arg(dayAgo), c.arg(staleAt)
		if err := s.rdb.QueryRowContext(ctx, `SELECT
				(SELECT count(*) FROM sites s WHERE NOT s.is_deleted AND s.last_seen_at >= `+day+` AND `+org+`),
				(SELECT count(*) FROM sites s WHERE NOT s.is_deleted AND s.is_active AND s.last_seen_at < `+stale+` AND `+org+`)
				+ (SELECT count(*) FROM sites s WHERE NOT s.is_deleted AND s.is_active AND s.last_seen_at IS NULL AND `+org+`)`,
			c.args...).Scan(&r.SitesReporting24h, &r.StaleSites); err != nil {
			return fmt.Errorf("summary sites seen: %w", err)
		}
		return nil
	}
	c := scopeConds(sc)
	day, stale := c.arg(dayAgo), c.arg(staleAt)
	if err := s.rdb.QueryRowContext(ctx, `
		SELECT count(*),
			COALESCE(sum(CASE WHEN s.last_seen_at >= `+day+` THEN 1 ELSE 0 END), 0),
			COALESCE(sum(CASE WHEN s.is_active AND (s.last_seen_at IS NULL OR s.last_seen_at < `+stale+`) THEN 1 ELSE 0 END), 0),
			COALESCE(sum(s.updates_available), 0),
			COALESCE(sum(CASE WHEN s.security_updates > 0 THEN 1 ELSE 0 END), 0)
		`+siteScopeFrom+` `+c.sql(), c.args...).Scan(&r.Sites, &r.SitesReporting24h, &r.StaleSites, &r.UpdatesAvailable, &r.SitesWithSecurity); err != nil {
		return fmt.Errorf("summary sites: %w", err)
	}
	return nil
}

// openExposures counts the open exposures of the scope by severity, and
// those past their deadline at sc.Now: a site's from the index of its open
// exposures, a fleet's or an organization's from the report counters (counters.go).
func (s *Store) openExposures(ctx context.Context, sc fleetwatch.ReportScope) (map[string]int, int, error) {
	if sc.SiteID == 0 {
		return s.openExposureCounts(ctx, sc)
	}
	c := exposureScope(sc)
	c.add("e.resolved_at IS NULL")
	now := c.arg(dbTime(sc.Now))
	rows, err := s.rdb.QueryContext(ctx, `
		SELECT e.severity, count(*), COALESCE(sum(CASE WHEN e.due_at < `+now+` THEN 1 ELSE 0 END), 0)
		FROM exposures e `+c.sql()+` GROUP BY e.severity`, c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("summary exposures: %w", err)
	}
	defer rows.Close()
	bySeverity, overdue := map[string]int{}, 0
	for rows.Next() {
		var sev string
		var n, late int
		if err := rows.Scan(&sev, &n, &late); err != nil {
			return nil, 0, fmt.Errorf("scan summary exposures: %w", err)
		}
		bySeverity[sev] += n
		overdue += late
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("summary exposures: %w", err)
	}
	return bySeverity, overdue, nil
}

// exposureScope bounds exposures e to the scope without joining their
// sites: an exposure keeps its site's organization, deleted organizations
// have their sites deleted too, and the exposures of deleted sites (few,
// by a partial index) are left out by an anti-join. The query reads FROM
// exposures e alone, so that narrow indexes answer it.
func exposureScope(sc fleetwatch.ReportScope) *conds {
	c := exposuresOf(sc)
	c.add("NOT EXISTS (SELECT 1 FROM sites ds WHERE ds.id = e.site_id AND ds.is_deleted)")
	c.add("e.organization_id IN (SELECT o.id FROM organizations o WHERE NOT o.is_deleted)")
	return c
}

// exposuresOf narrows exposures e to the scope's organization or site,
// deleted sites' included.
func exposuresOf(sc fleetwatch.ReportScope) *conds {
	c := &conds{}
	if sc.OrganizationID != 0 {
		c.add("e.organization_id = " + c.arg(sc.OrganizationID))
	}
	if sc.SiteID != 0 {
		c.add("e.site_id = " + c.arg(sc.SiteID))
	}
	return c
}

var securityUpdateSortColumns = map[string]string{
	"due_at":      "e.due_at",
	"detected_at": "e.detected_at",
	"severity":    "CASE e.severity WHEN 'highly_critical' THEN 5 WHEN 'critical' THEN 4 WHEN 'moderately_critical' THEN 3 WHEN 'less_critical' THEN 2 ELSE 1 END",
	"project":     "m.module_name",
	"site_name":   "lower(s.name)",
}

// securityUpdateOwnSorts are the sorts on the exposure's own columns.
var securityUpdateOwnSorts = map[string]bool{"due_at": true, "detected_at": true, "severity": true}

// SecurityUpdates lists the open exposures of the scope. Without a search
// and sorted by the exposure's own columns (the default, due_at, among
// them), it counts from an index alone and picks the page before joining
// the sites and projects of its rows: in deadline order the page is the
// first entries of a partial index. A search, or a sort by project or site
// name, joins every open exposure of the scope first.
func (s *Store) SecurityUpdates(ctx context.Context, sc fleetwatch.ReportScope, opts fleetwatch.ListOptions) ([]*fleetwatch.SecurityUpdateRow, int, error) {
	order, err := orderBy(opts.Sort, securityUpdateSortColumns, []fleetwatch.SortField{{Field: "due_at"}}, "e.id")
	if err != nil {
		return nil, 0, err
	}
	fast := opts.Q == ""
	for _, f := range opts.Sort {
		fast = fast && securityUpdateOwnSorts[f.Field]
	}
	const columns = `e.uuid, o.uuid, s.uuid, s.name, s.url, m.module_name, e.installed_version,
			e.fixed_by, e.severity, e.detected_at, e.due_at, e.clock_started_at`
	const joins = `JOIN sites s ON s.id = e.site_id JOIN organizations o ON o.id = s.organization_id
		JOIN modules m ON m.id = e.module_id`
	var (
		c     *conds
		total int
		query string
	)
	if fast {
		c = exposureScope(sc)
		c.add("e.resolved_at IS NULL")
		if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM exposures e `+c.sql(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count security updates: %w", err)
		}
		until := acceptedUntil(c, sc)
		query = `SELECT ` + columns + `, ` + until + ` FROM (SELECT e.* FROM exposures e ` + c.sql() + ` ` + order + ` ` + c.page(opts) + `) e
			` + joins + ` ` + order
	} else {
		c = scopeConds(sc)
		c.add("e.resolved_at IS NULL")
		c.search(s.d, opts.Q, "m.module_name", "s.name", "s.url")
		from := `FROM exposures e ` + joins
		if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+from+` `+c.sql(), c.args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count security updates: %w", err)
		}
		until := acceptedUntil(c, sc)
		query = `SELECT ` + columns + `, ` + until + ` ` + from + ` ` + c.sql() + ` ` + order + ` ` + c.page(opts)
	}
	if total == 0 {
		return nil, 0, nil
	}
	rows, err := s.rdb.QueryContext(ctx, query, c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list security updates: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.SecurityUpdateRow
	for rows.Next() {
		var r fleetwatch.SecurityUpdateRow
		var fixed []byte
		var until any
		if err := rows.Scan(&r.ExposureUUID, &r.OrganizationUUID, &r.SiteUUID, &r.SiteName, &r.SiteURL, &r.Project, &r.Installed,
			&fixed, &r.Severity, &r.DetectedAt, &r.DueAt, &r.ClockStartedAt, &until); err != nil {
			return nil, 0, fmt.Errorf("scan security update: %w", err)
		}
		if r.AcceptedUntil, err = anyTime(until); err != nil {
			return nil, 0, fmt.Errorf("scan acceptance: %w", err)
		}
		r.FixedBy = versionList(fixed)
		r.DetectedAt, r.DueAt, r.ClockStartedAt = r.DetectedAt.UTC(), r.DueAt.UTC(), r.ClockStartedAt.UTC()
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list security updates: %w", err)
	}
	return out, total, nil
}

// EachOpenDeadline calls fn with each open security update of the scope
// (matching q on its project, site name or address), in no order. The
// exposures are read as narrow rows; the names of the sites with one are
// read once, before (siteNames).
func (s *Store) EachOpenDeadline(ctx context.Context, sc fleetwatch.ReportScope, q string, fn func(*fleetwatch.OpenDeadline) error) error {
	sites, err := s.siteNames(ctx, sc, "e.resolved_at IS NULL")
	if err != nil || len(sites) == 0 {
		return err
	}
	var c *conds
	from := "FROM exposures e"
	if q == "" {
		c = exposureScope(sc)
	} else {
		c = scopeConds(sc)
		c.search(s.d, q, "m.module_name", "s.name", "s.url")
		from += ` JOIN sites s ON s.id = e.site_id JOIN organizations o ON o.id = s.organization_id JOIN modules m ON m.id = e.module_id`
	}
	c.add("e.resolved_at IS NULL")
	until := acceptedUntil(c, sc)
	rows, err := s.rdb.QueryContext(ctx, `SELECT e.site_id, e.severity, e.due_at, e.clock_started_at, `+until+` `+from+` `+c.sql(), c.args...)
	if err != nil {
		return fmt.Errorf("read open deadlines: %w", err)
	}
	defer rows.Close()
	var (
		d       fleetwatch.OpenDeadline
		untilAt any
	)
	for rows.Next() {
		if err := rows.Scan(&d.SiteID, &d.Severity, &d.DueAt, &d.ClockStartedAt, &untilAt); err != nil {
			return fmt.Errorf("scan open deadline: %w", err)
		}
		n, ok := sites[d.SiteID]
		if !ok {
			continue // a site deleted, or first exposed, since the names were read
		}
		d.SiteUUID, d.SiteName, d.SiteURL, d.OrganizationUUID = n.siteUUID, n.siteName, n.siteURL, n.orgUUID
		if d.AcceptedUntil, err = anyTime(untilAt); err != nil {
			return fmt.Errorf("scan acceptance: %w", err)
		}
		d.DueAt, d.ClockStartedAt = d.DueAt.UTC(), d.ClockStartedAt.UTC()
		if err := fn(&d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read open deadlines: %w", err)
	}
	return nil
}

// siteName is a visible site and its organization, as the report rows name
// them.
type siteName struct {
	orgUUID, siteUUID, siteName, siteURL string
}

// siteNames returns the visible sites of the scope that have an exposure
// matching where (a condition on exposures e, without arguments), by id.
func (s *Store) siteNames(ctx context.Context, sc fleetwatch.ReportScope, where string) (map[int64]siteName, error) {
	c := scopeConds(sc)
	c.add("s.id IN (SELECT e.site_id FROM exposures e WHERE " + where + ")")
	rows, err := s.rdb.QueryContext(ctx, `SELECT s.id, s.uuid, s.name, s.url, o.uuid `+siteScopeFrom+` `+c.sql(), c.args...)
	if err != nil {
		return nil, fmt.Errorf("list report sites: %w", err)
	}
	defer rows.Close()
	names := map[int64]siteName{}
	orgs := map[string]string{} // an organization's uuid, once
	var orgUUID sql.RawBytes
	for rows.Next() {
		var id int64
		var n siteName
		if err := rows.Scan(&id, &n.siteUUID, &n.siteName, &n.siteURL, &orgUUID); err != nil {
			return nil, fmt.Errorf("scan report site: %w", err)
		}
		o, ok := orgs[string(orgUUID)]
		if !ok {
			o = string(orgUUID)
			orgs[o] = o
		}
		n.orgUUID = o
		names[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list report sites: %w", err)
	}
	return names, nil
}

// acceptedUntil is the end of the acceptance holding for exposure e at
// sc.Now, NULL when none holds.
func acceptedUntil(c *conds, sc fleetwatch.ReportScope) string {
	return `(SELECT max(a.expires_at) FROM exposure_acceptances a WHERE a.exposure_id = e.id AND a.revoked_at IS NULL AND a.expires_at > ` + c.arg(dbTime(sc.Now)) + `)`
}

// anyTime reads a time computed by an aggregate, which SQLite returns as
// text (it only types columns it declared).
func anyTime(v any) (*time.Time, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case time.Time:
		u := t.UTC()
		return &u, nil
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				u := p.UTC()
				return &u, nil
			}
		}
	}
	return nil, fmt.Errorf("unreadable time %v", v)
}

// versionList reads a JSON list of versions, or of objects with a version.
func versionList(b []byte) []string {
	var plain []string
	if json.Unmarshal(b, &plain) == nil {
		return plain
	}
	var objs []struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(b, &objs)
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Version)
	}
	return out
}

const outcomeFrom = `FROM exposures e JOIN sites s ON s.id = e.site_id JOIN organizations o ON o.id = s.organization_id`

// ExposureSpans returns the exposures alive at some time in [sc.From, sc.To).
func (s *Store) ExposureSpans(ctx context.Context, sc fleetwatch.ReportScope) ([]fleetwatch.ExposureSpan, error) {
	c := scopeConds(sc)
	c.add("e.detected_at < " + c.arg(dbTime(sc.To)) + " AND (e.resolved_at IS NULL OR e.resolved_at >= " + c.arg(dbTime(sc.From)) + ")")
	rows, err := s.rdb.QueryContext(ctx, `SELECT e.detected_at, e.due_at, e.resolved_at, COALESCE(e.sla_outcome, '') `+outcomeFrom+` `+c.sql(), c.args...)
	if err != nil {
		return nil, fmt.Errorf("list exposure spans: %w", err)
	}
	defer rows.Close()
	var out []fleetwatch.ExposureSpan
	for rows.Next() {
		var r fleetwatch.ExposureSpan
		var resolved sql.NullTime
		if err := rows.Scan(&r.DetectedAt, &r.DueAt, &resolved, &r.Outcome); err != nil {
			return nil, fmt.Errorf("scan exposure span: %w", err)
		}
		r.DetectedAt, r.DueAt, r.ResolvedAt = r.DetectedAt.UTC(), r.DueAt.UTC(), timePtr(resolved)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ExposureDays counts the instants of the exposures ExposureSpans returns,
// by kind and UTC day, in the database: a year of exposures becomes a few
// hundred rows. Each exposure is read once, crossed with the five kinds.
func (s *Store) ExposureDays(ctx context.Context, sc fleetwatch.ReportScope) (*fleetwatch.ExposureDays, error) {
	c := exposureScope(sc)
	c.add("e.detected_at < " + c.arg(dbTime(sc.To)) + " AND (e.resolved_at IS NULL OR e.resolved_at >= " + c.arg(dbTime(sc.From)) + ")")
	from, now := c.arg(dbTime(sc.From)), c.arg(dbTime(sc.Now))
	// The five instants of each exposure, as rows (k, t), from one scan
	// (LATERAL VALUES ran twice as slow on PostgreSQL: it memoized rows).
	greatest, day := "GREATEST", "(x.t AT TIME ZONE 'UTC')::date"
	if s.d != postgres {
		greatest, day = "max", "substr(x.t, 1, 10)" // times are UTC text
	}
	instants := fmt.Sprintf(`WITH f AS MATERIALIZED (SELECT e.detected_at, e.resolved_at, e.due_at, e.sla_outcome FROM exposures e `+c.sql()+`)
		SELECT %d AS k, f.detected_at AS t FROM f
		UNION ALL SELECT %d, f.resolved_at FROM f WHERE f.resolved_at IS NOT NULL
		UNION ALL SELECT %d, f.resolved_at FROM f WHERE f.resolved_at IS NOT NULL AND f.sla_outcome = 'within'
		UNION ALL SELECT %d, %s(f.due_at, f.detected_at) FROM f
		UNION ALL SELECT %d, %s(f.resolved_at, f.due_at) FROM f WHERE f.resolved_at IS NOT NULL`,
		fleetwatch.InstantDetected, fleetwatch.InstantResolved, fleetwatch.InstantResolvedWithin,
		fleetwatch.InstantOverdueFrom, greatest, fleetwatch.InstantOverdueTo, greatest)
	rows, err := s.rdb.QueryContext(ctx, `SELECT g.k, CAST(g.d AS TEXT), g.n FROM (
		SELECT x.k, CASE WHEN x.t < `+from+` THEN NULL ELSE `+day+` END AS d, count(*) AS n
		FROM (`+instants+`) x
		WHERE x.t < `+now+`
		GROUP BY 1, 2) g`, c.args...)
	if err != nil {
		return nil, fmt.Errorf("count exposure days: %w", err)
	}
	defer rows.Close()
	out := &fleetwatch.ExposureDays{Days: map[string]*[fleetwatch.InstantKinds]int{}}
	for rows.Next() {
		var k, n int
		var d sql.NullString
		if err := rows.Scan(&k, &d, &n); err != nil {
			return nil, fmt.Errorf("scan exposure day: %w", err)
		}
		if k < 0 || k >= fleetwatch.InstantKinds {
			return nil, fmt.Errorf("exposure day: kind %d", k)
		}
		if !d.Valid {
			out.Before[k] += n
			continue
		}
		counts := out.Days[d.String]
		if counts == nil {
			counts = new([fleetwatch.InstantKinds]int)
			out.Days[d.String] = counts
		}
		counts[k] += n
	}
	return out, rows.Err()
}

// OutdatedSpans returns the history intervals with a non-security update
// outstanding that overlap [sc.From, sc.To).
func (s *Store) OutdatedSpans(ctx context.Context, sc fleetwatch.ReportScope) ([]fleetwatch.OutdatedSpan, error) {
	query, args := outdatedIntervals(sc)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list outdated spans: %w", err)
	}
	defer rows.Close()
	var out []fleetwatch.OutdatedSpan
	for rows.Next() {
		var r fleetwatch.OutdatedSpan
		var to any // computed: text on SQLite
		if err := rows.Scan(&r.SiteID, &r.ModuleID, &r.From, &to); err != nil {
			return nil, fmt.Errorf("scan outdated span: %w", err)
		}
		if r.To, err = anyTime(to); err != nil {
			return nil, fmt.Errorf("scan outdated span: %w", err)
		}
		r.From = r.From.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// OutdatedTimes is OutdatedSpans in compact form: the rollups read every
// outdated interval of an organization, 16 bytes each here.
func (s *Store) OutdatedTimes(ctx context.Context, sc fleetwatch.ReportScope) (*fleetwatch.OutdatedTimes, error) {
	query, args := outdatedIntervals(sc)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list outdated times: %w", err)
	}
	defer rows.Close()
	out := &fleetwatch.OutdatedTimes{}
	for rows.Next() {
		var site, module int64
		var from time.Time
		var to any // computed: text on SQLite
		if err := rows.Scan(&site, &module, &from, &to); err != nil {
			return nil, fmt.Errorf("scan outdated times: %w", err)
		}
		end, err := anyTime(to)
		if err != nil {
			return nil, fmt.Errorf("scan outdated times: %w", err)
		}
		out.Add(from, end)
	}
	return out, rows.Err()
}

var moduleUsageSortColumns = map[string]string{
	"site_name": "lower(s.name)",
	"version":   "mv.version_number",
	"status":    "sm.status",
}

// ModuleUsage lists the sites of the scope that run project.
func (s *Store) ModuleUsage(ctx context.Context, sc fleetwatch.ReportScope, project string, opts fleetwatch.ListOptions) ([]*fleetwatch.ModuleUsageRow, int, error) {
	c := scopeConds(sc)
	c.add("m.module_name = " + c.arg(project))
	from := `FROM site_modules sm JOIN sites s ON s.id = sm.site_id JOIN organizations o ON o.id = s.organization_id
		JOIN modules m ON m.id = sm.module_id LEFT JOIN module_versions mv ON mv.id = sm.current_version_id`
	order, err := orderBy(opts.Sort, moduleUsageSortColumns, []fleetwatch.SortField{{Field: "site_name"}}, "s.id")
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+from+` `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count module usage: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT s.uuid, s.name, s.url, o.uuid, COALESCE(mv.version_number, ''), sm.status,
			sm.update_available, sm.security_update, sm.recommended_version
		`+from+` `+c.sql()+` `+order+` `+c.page(opts), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list module usage: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.ModuleUsageRow
	for rows.Next() {
		var r fleetwatch.ModuleUsageRow
		if err := rows.Scan(&r.SiteUUID, &r.SiteName, &r.SiteURL, &r.OrganizationUUID, &r.Version, &r.Status,
			&r.UpdateAvailable, &r.SecurityUpdate, &r.RecommendedVersion); err != nil {
			return nil, 0, fmt.Errorf("scan module usage: %w", err)
		}
		out = append(out, &r)
	}
	return out, total, rows.Err()
}

// PatchRunReport lists the patch runs of the scope's period, newest first,
// with the exposures each resolved.
func (s *Store) PatchRunReport(ctx context.Context, sc fleetwatch.ReportScope, opts fleetwatch.ListOptions) ([]*fleetwatch.PatchRunReportRow, int, error) {
	c := scopeConds(sc)
	c.add("p.run_date >= " + c.arg(dbTime(sc.From)) + " AND p.run_date < " + c.arg(dbTime(sc.To)))
	c.search(s.d, opts.Q, "s.name", "s.url")
	from := `FROM patch_runs p JOIN sites s ON s.id = p.site_id JOIN organizations o ON o.id = s.organization_id`
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+from+` `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count patch runs: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT p.id, p.uuid, o.uuid, s.id, s.uuid, s.name, p.run_date, p.status, p.tool, p.changes
		`+from+` `+c.sql()+` ORDER BY p.run_date DESC, p.id DESC `+c.page(opts), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list patch runs: %w", err)
	}
	var out []*fleetwatch.PatchRunReportRow
	type run struct {
		id, siteID int64
		to         map[string]string // project → version it went to
	}
	var runs []run
	for rows.Next() {
		var r fleetwatch.PatchRunReportRow
		var id, siteID int64
		var changes []byte
		if err := rows.Scan(&id, &r.PatchRunUUID, &r.OrganizationUUID, &siteID, &r.SiteUUID, &r.SiteName, &r.RunDate, &r.Status, &r.Tool, &changes); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("scan patch run: %w", err)
		}
		r.RunDate = r.RunDate.UTC()
		var cs []struct {
			Name string `json:"name"`
			From string `json:"from_version"`
			To   string `json:"to_version"`
		}
		_ = json.Unmarshal(changes, &cs)
		to := map[string]string{}
		for _, ch := range cs {
			r.Changes = append(r.Changes, ch.Name+": "+ch.From+" → "+ch.To)
			to[ch.Name] = ch.To
		}
		r.ExposuresClosed = []string{}
		out = append(out, &r)
		runs = append(runs, run{id: id, siteID: siteID, to: to})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list patch runs: %w", err)
	}
	// A run closed an exposure when the exposure resolved by the site moving
	// to the version the run installed, in the run's window (PatchRun.Covers).
	for i, r := range runs {
		if len(r.to) == 0 {
			continue
		}
		er, err := s.rdb.QueryContext(ctx, `SELECT e.uuid, m.module_name, e.resolved_version FROM exposures e JOIN modules m ON m.id = e.module_id
			WHERE e.site_id = $1 AND (e.patch_run_id = $2 OR (e.resolved_at >= $3 AND e.resolved_at < $4)) ORDER BY e.id`,
			r.siteID, r.id, dbTime(out[i].RunDate.Add(-fleetwatch.PatchRunLead)), dbTime(out[i].RunDate.Add(fleetwatch.PatchRunReach)))
		if err != nil {
			return nil, 0, fmt.Errorf("list closed exposures: %w", err)
		}
		for er.Next() {
			var u, project, version string
			if err := er.Scan(&u, &project, &version); err != nil {
				er.Close()
				return nil, 0, fmt.Errorf("scan closed exposure: %w", err)
			}
			if to, ok := r.to[project]; ok && to == version {
				out[i].ExposuresClosed = append(out[i].ExposuresClosed, u)
			}
		}
		er.Close()
	}
	return out, total, nil
}
