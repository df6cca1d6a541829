package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// PlatformSites returns the active sites that reported a PHP or Drupal core
// version, with their organizations, of one organization (0: every one) or
// one site (0: every site), by organization and site name.
func (s *Store) PlatformSites(ctx context.Context, orgID, siteID int64) ([]*fleetwatch.PlatformSite, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT s.id, s.uuid, s.name, s.url, s.organization_id, o.uuid, o.name,
			s.core_version, s.php_version
		FROM sites s JOIN organizations o ON o.id = s.organization_id
		WHERE `+siteVisible+` AND s.is_active AND (s.core_version <> '' OR s.php_version <> '')
			AND ($1 = 0 OR s.organization_id = $1) AND ($2 = 0 OR s.id = $2)
		ORDER BY lower(o.name), o.id, lower(s.name), s.id`, orgID, siteID)
	if err != nil {
		return nil, fmt.Errorf("find platform sites: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.PlatformSite
	for rows.Next() {
		var p fleetwatch.PlatformSite
		if err := rows.Scan(&p.ID, &p.UUID, &p.Name, &p.URL, &p.OrganizationID, &p.OrganizationUUID, &p.OrganizationName,
			&p.CoreVersion, &p.PHPVersion); err != nil {
			return nil, fmt.Errorf("scan platform site: %w", err)
		}
		out = append(out, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find platform sites: %w", err)
	}
	return out, nil
}

// ClaimPlatformNotices records the notices not recorded before, in one
// transaction, and returns those: only their claimer announces them. A
// fleet's first announcement holds a notice per site: they are inserted
// many rows a statement, and the insert returns the rows it added.
func (s *Store) ClaimPlatformNotices(ctx context.Context, notices []fleetwatch.PlatformNotice) ([]fleetwatch.PlatformNotice, error) {
	var claimed []fleetwatch.PlatformNotice
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		claimed = claimed[:0]
		for part := range chunks(notices, s.d.rowBatch(5)) {
			var c conds
			values := make([]any, 0, 5*len(part))
			for _, n := range part {
				values = append(values, n.SiteID, n.Product, n.Cycle, n.Milestone, dbTime(n.CreatedAt))
			}
			added, err := collect(ctx, tx, "insert platform notices", `INSERT INTO platform_notices (site_id, product, cycle, milestone, created_at)
				VALUES `+placeholders(&c, 5, values...)+` ON CONFLICT DO NOTHING RETURNING site_id, product, cycle, milestone, created_at`, c.args,
				func(rows *sql.Rows, n *fleetwatch.PlatformNotice) error {
					if err := rows.Scan(&n.SiteID, &n.Product, &n.Cycle, &n.Milestone, &n.CreatedAt); err != nil {
						return err
					}
					n.CreatedAt = n.CreatedAt.UTC()
					return nil
				})
			if err != nil {
				return err
			}
			claimed = append(claimed, added...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}
