package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// organizationSortColumns maps fleetwatch.OrganizationSortFields to columns.
var organizationSortColumns = map[string]string{
	"name":       "lower(o.name)",
	"created_at": "o.created_at",
	"updated_at": "o.updated_at",
}

const organizationColumns = `o.id, o.uuid, o.name, o.tax_id, o.is_active,
	o.created_at, o.updated_at, cb.uuid, ub.uuid`

const organizationFrom = `FROM organizations o
	LEFT JOIN users cb ON cb.id = o.created_by
	LEFT JOIN users ub ON ub.id = o.updated_by`

func scanOrganization(sc interface{ Scan(...any) error }) (*fleetwatch.Organization, error) {
	var (
		o      fleetwatch.Organization
		cb, ub sql.NullString
	)
	if err := sc.Scan(&o.ID, &o.UUID, &o.Name, &o.TaxID, &o.IsActive,
		&o.CreatedAt, &o.UpdatedAt, &cb, &ub); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	o.CreatedBy, o.UpdatedBy = stringPtr(cb), stringPtr(ub)
	return &o, nil
}

// FindOrganizationByUUID returns the organization, or ENOTFOUND for an
// unknown or deleted one.
func (s *Store) FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error) {
	return findOrganization(ctx, s.rdb, "o.uuid = $1", uuid)
}

// FindOrganizationByID returns the organization, or ENOTFOUND for an unknown
// or deleted one.
func (s *Store) FindOrganizationByID(ctx context.Context, id int64) (*fleetwatch.Organization, error) {
	return findOrganization(ctx, s.rdb, "o.id = $1", id)
}

func findOrganization(ctx context.Context, q querier, cond string, arg any) (*fleetwatch.Organization, error) {
	o, err := scanOrganization(q.QueryRowContext(ctx, `SELECT `+organizationColumns+` `+organizationFrom+`
		WHERE `+cond+` AND NOT o.is_deleted`, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Organization not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find organization: %w", err)
	}
	return o, nil
}

// FindOrganizations returns a page of the organizations that match f, and
// how many match in all. Q searches name and tax id.
func (s *Store) FindOrganizations(ctx context.Context, f fleetwatch.OrganizationFilter) ([]*fleetwatch.Organization, int, error) {
	var c conds
	c.add("NOT o.is_deleted")
	if f.ID != 0 {
		c.add("o.id = " + c.arg(f.ID))
	}
	if f.IsActive != nil {
		c.add("o.is_active = " + c.arg(*f.IsActive))
	}
	c.search(s.d, f.Q, "o.name", "o.tax_id")
	order, err := orderBy(f.Sort, organizationSortColumns, []fleetwatch.SortField{{Field: "name"}}, "o.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find organizations: %w", err)
	}

	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM organizations o `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count organizations: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+organizationColumns+` `+organizationFrom+` `+
		c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find organizations: %w", err)
	}
	defer rows.Close()
	orgs := []*fleetwatch.Organization{}
	for rows.Next() {
		o, err := scanOrganization(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan organization: %w", err)
		}
		orgs = append(orgs, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find organizations: %w", err)
	}
	return orgs, total, nil
}

// CreateOrganization inserts o and fills its ID, UUID, timestamps and
// CreatedBy/UpdatedBy; by is the id of the user who creates it, 0 for none.
func (s *Store) CreateOrganization(ctx context.Context, o *fleetwatch.Organization, by int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO organizations (uuid, name, tax_id, is_active, created_at, updated_at, created_by, updated_by)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $6)
			RETURNING id`,
			newUUID(), o.Name, o.TaxID, o.IsActive, t, nullID(by),
		).Scan(&id); err != nil {
			return fmt.Errorf("insert organization: %w", err)
		}
		created, err := findOrganization(ctx, tx, "o.id = $1", id)
		if err != nil {
			return err
		}
		*o = *created
		return nil
	})
}

// UpdateOrganization changes the fields of upd that are not nil and returns
// the organization; ENOTFOUND for an unknown or deleted one.
func (s *Store) UpdateOrganization(ctx context.Context, id int64, upd fleetwatch.OrganizationUpdate, by int64) (*fleetwatch.Organization, error) {
	var o *fleetwatch.Organization
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := findOrganization(ctx, tx, "o.id = $1", id); err != nil {
			return err
		}
		var c conds
		set := []string{"updated_at = " + c.arg(now()), "updated_by = " + c.arg(nullID(by))}
		if upd.Name != nil {
			set = append(set, "name = "+c.arg(*upd.Name))
		}
		if upd.TaxID != nil {
			set = append(set, "tax_id = "+c.arg(*upd.TaxID))
		}
		if upd.IsActive != nil {
			set = append(set, "is_active = "+c.arg(*upd.IsActive))
			// Deactivation ends the sessions of the organization's users,
			// platform admins apart (see service.maySignIn).
			if !*upd.IsActive {
				if err := revokeSessions(ctx, tx, now(), `user_id IN (SELECT id FROM users WHERE organization_id = $2 AND role <> 'admin')`, id); err != nil {
					return err
				}
			}
		}
		if err := execUpdate(ctx, tx, "organizations", "Organization", set, &c, id); err != nil {
			return fmt.Errorf("update organization: %w", err)
		}
		var err error
		o, err = findOrganization(ctx, tx, "o.id = $1", id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// DeleteOrganization soft-deletes the organization and, in the same
// transaction, its sites and users; ENOTFOUND when it is already gone.
// Marking the users deleted frees their e-mail addresses.
func (s *Store) DeleteOrganization(ctx context.Context, id int64, by int64) error {
	return s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		if _, err := findOrganization(ctx, tx, "o.id = $1", id); err != nil {
			return err
		}
		t := now()
		if err := deleteSites(ctx, tx, counted, `organization_id = $3`, t, by, id); err != nil {
			return err
		}
		for _, q := range []string{
			`UPDATE organizations SET is_deleted = TRUE, deleted_at = $1, updated_at = $1, updated_by = $2 WHERE id = $3`,
			`UPDATE users SET is_deleted = TRUE, deleted_at = $1, updated_at = $1, updated_by = $2
				WHERE organization_id = $3 AND NOT is_deleted`,
		} {
			if _, err := tx.ExecContext(ctx, q, t, nullID(by), id); err != nil {
				return fmt.Errorf("delete organization: %w", err)
			}
		}
		return nil
	})
}

// execUpdate runs UPDATE table SET set on the row id unless it is deleted,
// with the arguments of set in c. ENOTFOUND when no row changed: the row was
// deleted after the caller looked it up.
func execUpdate(ctx context.Context, tx *sql.Tx, table, noun string, set []string, c *conds, id int64) error {
	q := `UPDATE ` + table + ` SET ` + strings.Join(set, ", ") + ` WHERE id = ` + c.arg(id) + ` AND NOT is_deleted`
	res, err := tx.ExecContext(ctx, q, c.args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fleetwatch.Errorf(fleetwatch.ENOTFOUND, "%s not found.", noun)
	}
	return nil
}
