package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// The SLA compliance report reads every closure of its period and every
// open breach: for a fleet, thousands of each, and the names of all its
// visible sites. Each query returns narrow rows and joins nothing: the
// closures come from a covering index of the closed exposures (00035) as
// (site, clock start, resolution, outcome), the breaches from the
// open-deadline index (00016) as their site alone, and each site and
// organization is named once. Which sites are visible is for the sites'
// query to say (scopeConds): the service leaves out the others' exposures,
// so the exposures' queries do without exposureScope's anti-join (a third
// of their time). The service groups the rows by site: grouping them in
// the database cost more (a hash aggregate of the breaches, a join of the
// sites with the closures) than reading one number per breach.

// ComplianceFacts returns what the SLA compliance report of the scope is
// computed from.
func (s *Store) ComplianceFacts(ctx context.Context, sc fleetwatch.ReportScope) (*fleetwatch.ComplianceFacts, error) {
	f := &fleetwatch.ComplianceFacts{}
	var err error
	if f.Organizations, err = s.complianceOrganizations(ctx, sc); err != nil || len(f.Organizations) == 0 {
		return f, err
	}
	if f.Sites, err = s.complianceSites(ctx, sc); err != nil || len(f.Sites) == 0 {
		return f, err
	}
	if f.Breaches, err = s.openBreachSites(ctx, sc); err != nil {
		return nil, err
	}
	if f.Closures, err = s.closedExposures(ctx, sc); err != nil {
		return nil, err
	}
	return f, nil
}

func (s *Store) complianceOrganizations(ctx context.Context, sc fleetwatch.ReportScope) ([]fleetwatch.ComplianceOrganization, error) {
	c := &conds{}
	c.add("NOT o.is_deleted")
	if sc.OrganizationID != 0 {
		c.add("o.id = " + c.arg(sc.OrganizationID))
	}
	if sc.SiteID != 0 {
		c.add("o.id IN (SELECT organization_id FROM sites WHERE id = " + c.arg(sc.SiteID) + ")")
	}
	return collect(ctx, s.rdb, "list report organizations", `SELECT o.id, o.uuid, o.name FROM organizations o `+c.sql(), c.args,
		func(rows *sql.Rows, o *fleetwatch.ComplianceOrganization) error {
			return rows.Scan(&o.ID, &o.UUID, &o.Name)
		})
}

func (s *Store) complianceSites(ctx context.Context, sc fleetwatch.ReportScope) ([]fleetwatch.ComplianceSite, error) {
	c := scopeConds(sc)
	return collect(ctx, s.rdb, "list report sites", `SELECT s.id, s.organization_id, s.uuid, s.name `+siteScopeFrom+` `+c.sql(), c.args,
		func(rows *sql.Rows, site *fleetwatch.ComplianceSite) error {
			return rows.Scan(&site.ID, &site.OrganizationID, &site.UUID, &site.Name)
		})
}

// openBreachSites returns the site of each open exposure of the scope past
// its deadline at sc.Now, deleted sites' too.
func (s *Store) openBreachSites(ctx context.Context, sc fleetwatch.ReportScope) ([]int64, error) {
	c := exposuresOf(sc)
	c.add("e.resolved_at IS NULL AND e.due_at < " + c.arg(dbTime(sc.Now)))
	return collect(ctx, s.rdb, "list open breaches", `SELECT e.site_id FROM exposures e `+c.sql(), c.args,
		func(rows *sql.Rows, id *int64) error { return rows.Scan(id) })
}

// closedExposures returns the exposures of the scope closed in [sc.From,
// sc.To), deleted sites' too.
func (s *Store) closedExposures(ctx context.Context, sc fleetwatch.ReportScope) ([]fleetwatch.Closure, error) {
	c := exposuresOf(sc)
	c.add("e.resolved_at >= " + c.arg(dbTime(sc.From)) + " AND e.resolved_at < " + c.arg(dbTime(sc.To)))
	// Whether within as a number: the driver makes a string of each text
	// value.
	return collect(ctx, s.rdb, "list resolved exposures", `SELECT e.site_id, e.clock_started_at, e.resolved_at,
			CASE e.sla_outcome WHEN 'within' THEN 1 ELSE 0 END
		FROM exposures e `+c.sql(), c.args,
		func(rows *sql.Rows, r *fleetwatch.Closure) error {
			if err := rows.Scan(&r.SiteID, &r.ClockStartedAt, &r.ResolvedAt, &r.Within); err != nil {
				return err
			}
			r.ClockStartedAt, r.ResolvedAt = r.ClockStartedAt.UTC(), r.ResolvedAt.UTC()
			return nil
		})
}

// collect runs a query on q and scans its rows by scan; what names the
// query in its errors.
func collect[T any](ctx context.Context, q querier, what, query string, args []any, scan func(*sql.Rows, *T) error) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := scanRows(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
