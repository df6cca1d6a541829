package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// The SLA compliance report reads every closure of its period and every
// site with an open breach: for a fleet, thousands of rows of each. Its
// queries are shaped so that the database reads indexes only and returns
// narrow rows: the closures come from a covering index of the closed
// exposures (00035) as (site, clock start, resolution, outcome), and the
// names of their sites and organizations are read once per site, not once
// per closure.

// siteName is a visible site and its organization, as the report rows name
// them.
type siteName struct {
	orgUUID, orgName, siteUUID, siteName, siteURL string
}

// ResolvedExposures calls fn with each exposure of a visible site of the
// scope closed in [sc.From, sc.To); fn must not keep the row it is given.
func (s *Store) ResolvedExposures(ctx context.Context, sc fleetwatch.ReportScope, fn func(*fleetwatch.ExposureOutcome) error) error {
	closed := func(c *conds) string {
		where := "e.resolved_at >= " + c.arg(dbTime(sc.From)) + " AND e.resolved_at < " + c.arg(dbTime(sc.To))
		if sc.OrganizationID != 0 {
			where += " AND e.organization_id = " + c.arg(sc.OrganizationID)
		}
		if sc.SiteID != 0 {
			where += " AND e.site_id = " + c.arg(sc.SiteID)
		}
		return where
	}
	names, err := s.siteNames(ctx, sc, closed)
	if err != nil || len(names) == 0 {
		return err
	}
	c := &conds{}
	c.add(closed(c))
	// The outcome as a number: the driver makes a string of each text value.
	rows, err := s.rdb.QueryContext(ctx, `SELECT e.site_id, e.clock_started_at, e.resolved_at,
			CASE e.sla_outcome WHEN 'within' THEN 1 WHEN 'breached' THEN 2 ELSE 0 END
		FROM exposures e `+c.sql(), c.args...)
	if err != nil {
		return fmt.Errorf("list resolved exposures: %w", err)
	}
	defer rows.Close()
	outcomes := [3]string{"", fleetwatch.SLAWithin, fleetwatch.SLABreached}
	// fn gets the same row each time (it keeps none): no allocation per
	// closure.
	var (
		siteID   int64
		outcome  int
		resolved time.Time
		r        = fleetwatch.ExposureOutcome{ResolvedAt: &resolved}
	)
	for rows.Next() {
		if err := rows.Scan(&siteID, &r.ClockStartedAt, &resolved, &outcome); err != nil {
			return fmt.Errorf("scan resolved exposure: %w", err)
		}
		n, ok := names[siteID]
		if !ok {
			continue // a deleted site, or one of a deleted organization
		}
		r.OrganizationUUID, r.OrganizationName, r.SiteUUID, r.SiteName = n.orgUUID, n.orgName, n.siteUUID, n.siteName
		if outcome < 0 || outcome >= len(outcomes) {
			return fmt.Errorf("resolved exposure: outcome %d", outcome)
		}
		r.Outcome = outcomes[outcome]
		r.ClockStartedAt, resolved = r.ClockStartedAt.UTC(), resolved.UTC()
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list resolved exposures: %w", err)
	}
	return nil
}

// siteNames returns the visible sites of the scope that have an exposure
// matching where (conditions on exposures e, built with c's placeholders),
// by id.
func (s *Store) siteNames(ctx context.Context, sc fleetwatch.ReportScope, where func(c *conds) string) (map[int64]siteName, error) {
	c := scopeConds(sc)
	c.add("s.id IN (SELECT e.site_id FROM exposures e WHERE " + where(c) + ")")
	rows, err := s.rdb.QueryContext(ctx, `SELECT s.id, s.uuid, s.name, s.url, o.uuid, o.name `+siteScopeFrom+` `+c.sql(), c.args...)
	if err != nil {
		return nil, fmt.Errorf("list report sites: %w", err)
	}
	defer rows.Close()
	names := map[int64]siteName{}
	orgs := map[string]siteName{} // an organization's uuid and name, once
	var orgUUID, orgName sql.RawBytes
	for rows.Next() {
		var id int64
		var n siteName
		if err := rows.Scan(&id, &n.siteUUID, &n.siteName, &n.siteURL, &orgUUID, &orgName); err != nil {
			return nil, fmt.Errorf("scan report site: %w", err)
		}
		o, ok := orgs[string(orgUUID)]
		if !ok {
			o = siteName{orgUUID: string(orgUUID), orgName: string(orgName)}
			orgs[o.orgUUID] = o
		}
		n.orgUUID, n.orgName = o.orgUUID, o.orgName
		names[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list report sites: %w", err)
	}
	return names, nil
}

// OpenBreaches returns the open exposures past their deadline at sc.Now,
// counted by site: one row per site, not per exposure.
func (s *Store) OpenBreaches(ctx context.Context, sc fleetwatch.ReportScope) ([]fleetwatch.ExposureOutcome, error) {
	c := scopeConds(sc)
	inner := "e.resolved_at IS NULL AND e.due_at < " + c.arg(dbTime(sc.Now))
	if sc.OrganizationID != 0 {
		inner += " AND e.organization_id = " + c.arg(sc.OrganizationID)
	}
	if sc.SiteID != 0 {
		inner += " AND e.site_id = " + c.arg(sc.SiteID)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT o.uuid, o.name, s.uuid, s.name, g.n
		FROM (SELECT e.site_id, count(*) AS n FROM exposures e WHERE `+inner+` GROUP BY e.site_id) g
		JOIN sites s ON s.id = g.site_id JOIN organizations o ON o.id = s.organization_id `+c.sql(), c.args...)
	if err != nil {
		return nil, fmt.Errorf("list open breaches: %w", err)
	}
	defer rows.Close()
	var out []fleetwatch.ExposureOutcome
	orgs := map[string]siteName{}
	var orgUUID, orgName sql.RawBytes
	for rows.Next() {
		var r fleetwatch.ExposureOutcome
		if err := rows.Scan(&orgUUID, &orgName, &r.SiteUUID, &r.SiteName, &r.Count); err != nil {
			return nil, fmt.Errorf("scan open breaches: %w", err)
		}
		o, ok := orgs[string(orgUUID)]
		if !ok {
			o = siteName{orgUUID: string(orgUUID), orgName: string(orgName)}
			orgs[o.orgUUID] = o
		}
		r.OrganizationUUID, r.OrganizationName = o.orgUUID, o.orgName
		out = append(out, r)
	}
	return out, rows.Err()
}
