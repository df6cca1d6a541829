package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// siteChangeSortColumns maps fleetwatch.SiteChangeSortFields to columns.
var siteChangeSortColumns = map[string]string{
	"at":     "c.valid_from",
	"module": "m.module_name",
}

// siteChangesFrom returns the FROM and WHERE of a site's change log and
// fills c with their arguments: the rows of site_module_changes that
// change what the site ran, each with the version and build of the row
// before it of the same project. Rows that only restate a status (a feed
// change split the history) keep the version and build and are left out,
// as are removals of what was already removed. The window sorts the
// site's rows by project (site_module_changes_key orders them by start).
func siteChangesFrom(c *conds, d *dialect, f fleetwatch.SiteChangeFilter) string {
	inner := `h.site_id = ` + c.arg(f.SiteID)
	if f.Module != "" {
		inner += ` AND h.module_id IN (SELECT id FROM modules WHERE module_name = ` + c.arg(f.Module) + `)`
	}
	c.add(`(c.version IS NOT NULL OR c.prev_version IS NOT NULL)`)
	c.add(`(COALESCE(c.version, '') <> COALESCE(c.prev_version, '') OR c.datestamp <> c.prev_datestamp)`)
	c.search(d, f.Q, "m.module_name")
	if !f.Since.IsZero() {
		c.add(`c.valid_from >= ` + c.arg(dbTime(f.Since)))
	}
	if !f.Until.IsZero() {
		c.add(`c.valid_from < ` + c.arg(dbTime(f.Until)))
	}
	return `FROM (
			SELECT h.id, h.site_id, h.module_id, h.version, h.datestamp, h.valid_from,
				lag(h.version) OVER w AS prev_version, lag(h.datestamp) OVER w AS prev_datestamp
			FROM site_module_changes h WHERE ` + inner + `
			WINDOW w AS (PARTITION BY h.module_id ORDER BY h.valid_from)
		) c JOIN modules m ON m.id = c.module_id `
}

// FindSiteChanges returns a page of the changes of what a site ran, newest
// first by default (Q matches the project), each with the push that reported it while its audit
// log is kept: the first processed inventory of the site collected at the
// change's time.
func (s *Store) FindSiteChanges(ctx context.Context, f fleetwatch.SiteChangeFilter) ([]*fleetwatch.SiteChange, int, error) {
	var c conds
	from := siteChangesFrom(&c, s.d, f)
	order, err := orderBy(f.Sort, siteChangeSortColumns, []fleetwatch.SortField{{Field: "at", Desc: true}}, "c.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find site changes: %w", err)
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+from+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count site changes: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT c.id, c.valid_from, m.module_name, m.type,
			c.version, c.datestamp, c.prev_version, c.prev_datestamp, a.uuid, a.kind
		`+from+`LEFT JOIN audit_logs a ON a.id = (SELECT min(l.id) FROM audit_logs l
			WHERE l.site_id = c.site_id AND l.collected_at = c.valid_from AND l.status = 'processed' AND l.kind <> 'patch_run')
		`+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find site changes: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.SiteChange{}
	for rows.Next() {
		var (
			ch                    fleetwatch.SiteChange
			to, prev, audit, kind sql.NullString
			prevDatestamp         sql.NullInt64
		)
		if err := rows.Scan(&ch.ID, &ch.At, &ch.Module, &ch.ModuleType, &to, &ch.ToDatestamp, &prev, &prevDatestamp, &audit, &kind); err != nil {
			return nil, 0, fmt.Errorf("scan site change: %w", err)
		}
		ch.At = ch.At.UTC()
		ch.ToVersion, ch.FromVersion, ch.FromDatestamp = to.String, prev.String, prevDatestamp.Int64
		ch.AuditLogUUID, ch.AuditLogKind = stringPtr(audit), stringPtr(kind)
		out = append(out, &ch)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find site changes: %w", err)
	}
	return out, total, nil
}
