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
// transaction, and returns those: only their claimer announces them.
func (s *Store) ClaimPlatformNotices(ctx context.Context, notices []fleetwatch.PlatformNotice) ([]fleetwatch.PlatformNotice, error) {
	var claimed []fleetwatch.PlatformNotice
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		claimed = claimed[:0]
		for _, n := range notices {
			res, err := tx.ExecContext(ctx, `INSERT INTO platform_notices (site_id, product, cycle, milestone, created_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, n.SiteID, n.Product, n.Cycle, n.Milestone, dbTime(n.CreatedAt))
			if err != nil {
				return fmt.Errorf("insert platform notice: %w", err)
			}
			if k, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("insert platform notice: %w", err)
			} else if k == 1 {
				claimed = append(claimed, n)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return claimed, nil
}
