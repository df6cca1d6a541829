package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// A verdict is written by two writers: the push (applyChanged), which
// upserts each changed row with its new version and verdict, and the
// recompute after a feed or advisory change (SaveAnalyses), which updates
// the rows still at the version judged, many by one statement. Both then
// call followVerdicts, the one place where exposures follow the verdicts
// and the counts follow the rows.

// verdicts are the verdicts a writer wrote, by (site, module).
type verdicts map[[2]int64]*fleetwatch.ModuleVerdict

// index returns vs by (site, module).
func index(vs []*fleetwatch.ModuleVerdict) verdicts {
	out := make(verdicts, len(vs))
	for _, v := range vs {
		out[[2]int64{v.SiteID, v.ModuleID}] = v
	}
	return out
}

// of returns the verdict of the install's row when it judged the version
// the row holds (nil otherwise).
func (vs verdicts) of(in *fleetwatch.Install) *fleetwatch.ModuleVerdict {
	if v := vs[[2]int64{in.SiteID, in.ModuleID}]; v != nil && v.VersionID == in.VersionID {
		return v
	}
	return nil
}

// exposure is the exposure to open for an install whose row needs one.
func (vs verdicts) exposure(in *fleetwatch.Install) *fleetwatch.Exposure {
	if v := vs.of(in); v != nil {
		return v.Exposure
	}
	return nil
}

// facts is what an install's verdict says of its open exposure, with the
// policy to time it under (nil: leave it as it is).
func (vs verdicts) facts(in *fleetwatch.Install) (*fleetwatch.Exposure, *fleetwatch.SLAPolicy) {
	if v := vs.of(in); v != nil && v.SLA != nil {
		return v.Exposure, v.SLA
	}
	return nil, nil
}

// timed returns the scopes, within sc, of the rows whose verdict names an
// exposure and the policy to time it under: in chunks of d's IN lists, or
// sc itself when it is a whole project (a feed or advisory change) and
// they are more than one chunk, so that the project's open exposures are
// read by one statement rather than one per chunk of sites.
func (vs verdicts) timed(sc rowScope, d *dialect) []rowScope {
	var in map[int64]bool
	if sc.siteIDs != nil {
		in = make(map[int64]bool, len(sc.siteIDs))
		for _, id := range sc.siteIDs {
			in[id] = true
		}
	}
	var sites []int64
	for k, v := range vs {
		if v.Exposure == nil || v.SLA == nil || (sc.moduleID != 0 && k[1] != sc.moduleID) || (in != nil && !in[k[0]]) {
			continue
		}
		sites = append(sites, k[0])
	}
	if sc.siteIDs == nil && sc.moduleID != 0 && len(sites) > d.inBatch() {
		return []rowScope{sc}
	}
	slices.Sort(sites)
	sites = slices.Compact(sites)
	var out []rowScope
	for part := range chunks(sites, d.inBatch()) {
		out = append(out, rowScope{moduleID: sc.moduleID, siteIDs: part})
	}
	return out
}

// rowScope selects (site, project) rows: those of one project (moduleID,
// 0: every project) on the sites (siteIDs, nil: every site).
type rowScope struct {
	moduleID int64
	siteIDs  []int64
}

// where is the condition selecting the scope's rows of table alias (which
// has site_id and module_id), with its arguments added to c.
func (r rowScope) where(c *conds, d *dialect, alias string) string {
	var parts []string
	if r.moduleID != 0 {
		parts = append(parts, alias+".module_id = "+c.arg(r.moduleID))
	}
	if r.siteIDs != nil {
		parts = append(parts, c.in(d, alias+".site_id", r.siteIDs))
	}
	if len(parts) == 0 {
		return "TRUE"
	}
	return strings.Join(parts, " AND ")
}

// siteScopes returns the scopes of every row of the sites, in chunks of
// d's IN lists.
func siteScopes(siteIDs []int64, d *dialect) []rowScope {
	var out []rowScope
	for part := range chunks(siteIDs, d.inBatch()) {
		out = append(out, rowScope{siteIDs: part})
	}
	return out
}

// followVerdicts makes the exposures of the rows of scopes follow the
// verdicts vs just written to them, in the writer's transaction, and
// counts the rows of sites again: a row with security_update gets an open
// exposure (the one its verdict names; none when it has no verdict of its
// version) and the others none (syncExposures); an open one that stays
// open takes what its verdict now says of it when the verdict gives its
// policy (updateOpenExposures); and each site's outstanding updates are
// counted again (refreshSiteCounters). The sites must be locked. It
// returns the exposures it opened, resolved and updated.
func followVerdicts(ctx context.Context, tx *sql.Tx, d *dialect, counted *counts, vs verdicts, scopes []rowScope, sites []int64,
	at time.Time) (fleetwatch.ExposureChanges, error) {
	var out fleetwatch.ExposureChanges
	for _, sc := range scopes {
		ch, err := syncExposures(ctx, tx, d, sc, at, vs.exposure, counted)
		if err != nil {
			return out, err
		}
		out.Opened = append(out.Opened, ch.Opened...)
		out.Resolved = append(out.Resolved, ch.Resolved...)
		for _, part := range vs.timed(sc, d) {
			n, err := updateOpenExposures(ctx, tx, d, part, at, vs.facts, counted)
			if err != nil {
				return out, err
			}
			out.Updated += n
		}
	}
	return out, refreshSiteCounters(ctx, tx, d, sites, counted)
}

// syncExposures resolves the open exposures of the rows of sc whose
// security_update is false, or that are gone, and opens one for each row
// with security_update and no open exposure, as open builds it (nil: not
// now). It returns the exposures it opened and resolved, read back in the
// transaction, and counts them in counted.
func syncExposures(ctx context.Context, tx *sql.Tx, d *dialect, sc rowScope, at time.Time, open func(*fleetwatch.Install) *fleetwatch.Exposure,
	counted *counts) (fleetwatch.ExposureChanges, error) {
	var out fleetwatch.ExposureChanges
	resolvedIDs, err := resolveExposures(ctx, tx, d, sc, at)
	if err != nil {
		return out, err
	}
	// The rows that need one and have none.
	var c conds
	installs, err := findInstalls(ctx, tx, sc.where(&c, d, "sm")+` AND sm.security_update AND NOT EXISTS (SELECT 1 FROM exposures e
		WHERE e.site_id = sm.site_id AND e.module_id = sm.module_id AND e.resolved_at IS NULL)`, c.args...)
	if err != nil {
		return out, err
	}
	var exps []*fleetwatch.Exposure
	for _, in := range installs {
		if e := open(in); e != nil {
			e.SiteID, e.ModuleID, e.OrganizationID, e.InstalledVersion = in.SiteID, in.ModuleID, in.OrganizationID, in.Version
			exps = append(exps, e)
		}
	}
	openedIDs, err := insertExposures(ctx, tx, d, exps, at)
	if err != nil {
		return out, err
	}
	if out.Opened, err = findExposuresByID(ctx, tx, d, openedIDs); err != nil {
		return out, err
	}
	if out.Resolved, err = findExposuresByID(ctx, tx, d, resolvedIDs); err != nil {
		return out, err
	}
	if len(out.Opened) != len(openedIDs) || len(out.Resolved) != len(resolvedIDs) {
		return out, fmt.Errorf("count exposures: %d of %d opened and %d of %d resolved read back",
			len(out.Opened), len(openedIDs), len(out.Resolved), len(resolvedIDs))
	}
	for _, e := range out.Opened {
		counted.exposure(e.OrganizationID, e.Severity, exposureSpan(e), 1)
	}
	for _, e := range out.Resolved {
		// resolveExposures set only the resolution of a row that had none.
		span := exposureSpan(e)
		unresolved := span
		unresolved.ResolvedAt, unresolved.Outcome = nil, ""
		counted.exposure(e.OrganizationID, e.Severity, unresolved, -1)
		counted.exposure(e.OrganizationID, e.Severity, span, 1)
	}
	return out, nil
}

// resolveExposures resolves at at the open exposures of the rows of sc
// whose row no longer needs one, and returns their ids.
func resolveExposures(ctx context.Context, tx *sql.Tx, d *dialect, sc rowScope, at time.Time) ([]int64, error) {
	var c conds
	t := c.arg(at)
	rows, err := tx.QueryContext(ctx, `UPDATE exposures SET resolved_at = `+t+`, updated_at = `+t+`,
		sla_outcome = CASE WHEN due_at >= `+t+` THEN 'within' ELSE 'breached' END,
		resolved_version = COALESCE((SELECT mv.version_number FROM site_modules sm2
			JOIN module_versions mv ON mv.id = sm2.current_version_id
			WHERE sm2.site_id = exposures.site_id AND sm2.module_id = exposures.module_id), '')
		WHERE resolved_at IS NULL AND `+sc.where(&c, d, "exposures")+`
			AND NOT EXISTS (SELECT 1 FROM site_modules sm3 WHERE sm3.site_id = exposures.site_id
				AND sm3.module_id = exposures.module_id AND sm3.security_update)
		RETURNING id`, c.args...)
	if err != nil {
		return nil, fmt.Errorf("resolve exposures: %w", err)
	}
	ids, err := scanIDs(rows)
	if err != nil {
		return nil, fmt.Errorf("resolve exposures: %w", err)
	}
	return ids, nil
}

// insertExposures inserts the exposures, created at at, and returns their
// ids. The full chunks share one prepared statement: SQLite (modernc)
// would parse each anew (PostgreSQL's driver caches it by its text
// anyway).
func insertExposures(ctx context.Context, tx *sql.Tx, d *dialect, exps []*fleetwatch.Exposure, at time.Time) (ids []int64, err error) {
	batch := d.rowBatch(15)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for chunk := range chunks(exps, batch) {
		var c conds
		values := make([]string, len(chunk))
		for i, e := range chunk {
			fixed, advs := jsonList(e.FixedBy), jsonList(e.Advisories)
			e.UUID = newUUID()
			values[i] = "(" + strings.Join([]string{c.arg(e.UUID), c.arg(e.SiteID), c.arg(e.ModuleID), c.arg(e.OrganizationID),
				c.arg(e.InstalledVersion), c.arg(fixed), c.arg(advs), c.arg(e.Severity), c.arg(e.SeverityKnown),
				c.arg(dbTimePtr(e.PublishedAt)), c.arg(dbTime(e.DetectedAt)), c.arg(dbTime(e.ClockStartedAt)), c.arg(dbTime(e.DueAt)),
				c.arg(at), c.arg(at)}, ", ") + ")"
		}
		q := `INSERT INTO exposures (uuid, site_id, module_id, organization_id,
			installed_version, fixed_by, advisories, severity, severity_known, published_at, detected_at,
			clock_started_at, due_at, created_at, updated_at)
			VALUES ` + strings.Join(values, ", ") + ` RETURNING id`
		var rows *sql.Rows
		if len(chunk) == batch && len(exps) > batch {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, q); err != nil {
					return nil, fmt.Errorf("open exposures: %w", err)
				}
			}
			rows, err = full.QueryContext(ctx, c.args...)
		} else {
			rows, err = tx.QueryContext(ctx, q, c.args...)
		}
		if err != nil {
			return nil, fmt.Errorf("open exposures: %w", err)
		}
		got, err := scanIDs(rows)
		if err != nil {
			return nil, fmt.Errorf("open exposures: %w", err)
		}
		ids = append(ids, got...)
	}
	return ids, nil
}

// exposureSpan is the life of e that the counters count.
func exposureSpan(e *fleetwatch.Exposure) fleetwatch.ExposureSpan {
	span := fleetwatch.ExposureSpan{DetectedAt: e.DetectedAt, DueAt: e.DueAt, ResolvedAt: e.ResolvedAt}
	if e.SLAOutcome != nil {
		span.Outcome = *e.SLAOutcome
	}
	return span
}
