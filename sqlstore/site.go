package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// siteSortColumns maps fleetwatch.SiteSortFields to columns.
var siteSortColumns = map[string]string{
	"name":         "lower(s.name)",
	"url":          "s.url",
	"created_at":   "s.created_at",
	"updated_at":   "s.updated_at",
	"last_seen_at": "s.last_seen_at",
}

const siteColumns = `s.id, s.uuid, s.url, s.name, s.description, s.organization_id, o.uuid,
	s.is_active, s.first_seen_at, s.last_seen_at, s.core_version, s.php_version,
	s.created_at, s.updated_at, cb.uuid, ub.uuid`

const siteFrom = `FROM sites s
	JOIN organizations o ON o.id = s.organization_id
	LEFT JOIN users cb ON cb.id = s.created_by
	LEFT JOIN users ub ON ub.id = s.updated_by`

// siteVisible hides deleted sites and the sites of deleted organizations.
const siteVisible = `NOT s.is_deleted AND NOT o.is_deleted`

func scanSite(sc interface{ Scan(...any) error }) (*fleetwatch.Site, error) {
	var (
		s                   fleetwatch.Site
		firstSeen, lastSeen sql.NullTime
		cb, ub              sql.NullString
	)
	if err := sc.Scan(&s.ID, &s.UUID, &s.URL, &s.Name, &s.Description, &s.OrganizationID, &s.OrganizationUUID,
		&s.IsActive, &firstSeen, &lastSeen, &s.CoreVersion, &s.PHPVersion,
		&s.CreatedAt, &s.UpdatedAt, &cb, &ub); err != nil {
		return nil, err
	}
	s.FirstSeenAt, s.LastSeenAt = timePtr(firstSeen), timePtr(lastSeen)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	s.CreatedBy, s.UpdatedBy = stringPtr(cb), stringPtr(ub)
	return &s, nil
}

// FindSiteByUUID returns the site, or ENOTFOUND for an unknown or deleted
// site or one whose organization is deleted.
func (s *Store) FindSiteByUUID(ctx context.Context, uuid string) (*fleetwatch.Site, error) {
	return findSite(ctx, s.rdb, "s.uuid = $1", uuid)
}

// FindSiteByID returns the site, or ENOTFOUND like FindSiteByUUID.
func (s *Store) FindSiteByID(ctx context.Context, id int64) (*fleetwatch.Site, error) {
	return findSite(ctx, s.rdb, "s.id = $1", id)
}

func findSite(ctx context.Context, q querier, cond string, arg any) (*fleetwatch.Site, error) {
	site, err := scanSite(q.QueryRowContext(ctx, `SELECT `+siteColumns+` `+siteFrom+`
		WHERE `+cond+` AND `+siteVisible, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Site not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find site: %w", err)
	}
	return site, nil
}

// FindSites returns a page of the sites that match f, and how many match in
// all. Q searches name, URL and description; URL matches exactly.
func (s *Store) FindSites(ctx context.Context, f fleetwatch.SiteFilter) ([]*fleetwatch.Site, int, error) {
	var c conds
	c.add(siteVisible)
	if f.OrganizationID != 0 {
		c.add("s.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.IsActive != nil {
		c.add("s.is_active = " + c.arg(*f.IsActive))
	}
	if f.URL != "" {
		c.add("s.url = " + c.arg(f.URL))
	}
	c.search(s.d, f.Q, "s.name", "s.url", "s.description")
	order, err := orderBy(f.Sort, siteSortColumns, []fleetwatch.SortField{{Field: "name"}}, "s.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find sites: %w", err)
	}

	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM sites s
		JOIN organizations o ON o.id = s.organization_id `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count sites: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+siteColumns+` `+siteFrom+` `+
		c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find sites: %w", err)
	}
	defer rows.Close()
	sites := []*fleetwatch.Site{}
	for rows.Next() {
		site, err := scanSite(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan site: %w", err)
		}
		sites = append(sites, site)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find sites: %w", err)
	}
	return sites, total, nil
}

// CreateSite inserts site and fills its ID, UUID, timestamps,
// OrganizationUUID and CreatedBy/UpdatedBy; ENOTFOUND when the organization
// is unknown or deleted.
func (s *Store) CreateSite(ctx context.Context, site *fleetwatch.Site, by int64) error {
	return s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		if _, err := findOrganization(ctx, tx, "o.id = $1", site.OrganizationID); err != nil {
			return err
		}
		t := now()
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO sites (uuid, url, name, description, organization_id, is_active,
				first_seen_at, last_seen_at, core_version, php_version,
				created_at, updated_at, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $12)
			RETURNING id`,
			newUUID(), site.URL, site.Name, site.Description, site.OrganizationID, site.IsActive,
			dbTimePtr(site.FirstSeenAt), dbTimePtr(site.LastSeenAt), site.CoreVersion, site.PHPVersion,
			t, nullID(by),
		).Scan(&id); err != nil {
			return fmt.Errorf("insert site: %w", err)
		}
		if err := counted.sitesOf(ctx, tx, 1, `SELECT `+siteCountColumns+` FROM sites WHERE id = $1`, id); err != nil {
			return err
		}
		created, err := findSite(ctx, tx, "s.id = $1", id)
		if err != nil {
			return err
		}
		*site = *created
		return nil
	})
}

// UpdateSite changes the fields of upd that are not nil and returns the
// site; ENOTFOUND for an unknown or hidden site.
func (s *Store) UpdateSite(ctx context.Context, id int64, upd fleetwatch.SiteUpdate, by int64) (*fleetwatch.Site, error) {
	var site *fleetwatch.Site
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findSite(ctx, tx, "s.id = $1", id); err != nil {
			return err
		}
		var c conds
		set := []string{"updated_at = " + c.arg(now()), "updated_by = " + c.arg(nullID(by))}
		if upd.URL != nil {
			set = append(set, "url = "+c.arg(*upd.URL))
		}
		if upd.Name != nil {
			set = append(set, "name = "+c.arg(*upd.Name))
		}
		if upd.Description != nil {
			set = append(set, "description = "+c.arg(*upd.Description))
		}
		if upd.IsActive != nil {
			set = append(set, "is_active = "+c.arg(*upd.IsActive))
		}
		if err := execUpdate(ctx, tx, "sites", "Site", set, &c, id); err != nil {
			return fmt.Errorf("update site: %w", err)
		}
		var err error
		site, err = findSite(ctx, tx, "s.id = $1", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return site, nil
}

// DeleteSite soft-deletes the site; ENOTFOUND when it is already gone.
func (s *Store) DeleteSite(ctx context.Context, id int64, by int64) error {
	return s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		if _, err := findSite(ctx, tx, "s.id = $1", id); err != nil {
			return err
		}
		return deleteSites(ctx, tx, counted, `id = $3`, now(), by, id)
	})
}

// deleteSites soft-deletes the sites cond selects ($3 its argument) and
// counts them gone. The UPDATE returns the counts of the rows it locked
// and changed, as they were.
func deleteSites(ctx context.Context, tx *sql.Tx, counted *counts, cond string, t time.Time, by int64, arg any) error {
	rows, err := tx.QueryContext(ctx, `UPDATE sites SET is_deleted = TRUE, deleted_at = $1, updated_at = $1, updated_by = $2
		WHERE `+cond+` AND NOT is_deleted RETURNING organization_id, updates_available, security_updates`, t, nullID(by), arg)
	if err != nil {
		return fmt.Errorf("delete sites: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var org, updates, security int64
		if err := rows.Scan(&org, &updates, &security); err != nil {
			return fmt.Errorf("delete sites: %w", err)
		}
		counted.site(org, false, updates, security, -1)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("delete sites: %w", err)
	}
	return nil
}
