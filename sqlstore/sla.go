package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// slaPolicyVersionKey is the unique constraint on (organization_id, version).
const slaPolicyVersionKey = "sla_policies_version_key"

const slaPolicyColumns = `p.id, p.organization_id, o.uuid, p.version, p.highly_critical_days, p.critical_days,
	p.moderately_critical_days, p.less_critical_days, p.not_critical_days, p.clock_start,
	p.created_at, p.created_by, u.uuid`

const slaPolicyFrom = `FROM sla_policies p
	JOIN organizations o ON o.id = p.organization_id
	LEFT JOIN users u ON u.id = p.created_by`

func scanSLAPolicy(sc interface{ Scan(...any) error }) (*fleetwatch.SLAPolicy, error) {
	var (
		p         fleetwatch.SLAPolicy
		createdAt sql.NullTime
		by        sql.NullInt64
		byUUID    sql.NullString
	)
	d := &p.Deadlines
	if err := sc.Scan(&p.ID, &p.OrganizationID, &p.OrganizationUUID, &p.Version, &d.HighlyCritical, &d.Critical,
		&d.ModeratelyCritical, &d.LessCritical, &d.NotCritical, &p.ClockStart,
		&createdAt, &by, &byUUID); err != nil {
		return nil, err
	}
	p.CreatedAt, p.CreatedByID, p.CreatedBy = timePtr(createdAt), by.Int64, stringPtr(byUUID)
	return &p, nil
}

// FindSLAPolicy returns the newest version of the organization's policy, or
// ENOTFOUND when it never saved one or is deleted.
func (s *Store) FindSLAPolicy(ctx context.Context, organizationID int64) (*fleetwatch.SLAPolicy, error) {
	p, err := scanSLAPolicy(s.rdb.QueryRowContext(ctx, `SELECT `+slaPolicyColumns+` `+slaPolicyFrom+`
		WHERE p.organization_id = $1 AND NOT o.is_deleted
		ORDER BY p.version DESC LIMIT 1`, organizationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "No SLA policy saved.")
	} else if err != nil {
		return nil, fmt.Errorf("find sla policy: %w", err)
	}
	return p, nil
}

// FindSLAPolicyVersions returns every saved version of the organization's
// policy, newest first.
func (s *Store) FindSLAPolicyVersions(ctx context.Context, organizationID int64) ([]*fleetwatch.SLAPolicy, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+slaPolicyColumns+` `+slaPolicyFrom+`
		WHERE p.organization_id = $1 AND NOT o.is_deleted
		ORDER BY p.version DESC`, organizationID)
	if err != nil {
		return nil, fmt.Errorf("find sla policy versions: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.SLAPolicy{}
	for rows.Next() {
		p, err := scanSLAPolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("scan sla policy: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sla policy versions: %w", err)
	}
	return out, nil
}

// CreateSLAPolicyVersion saves p as the organization's next version and fills
// ID, Version, OrganizationUUID, CreatedAt and CreatedBy. ENOTFOUND when the
// organization is gone; ECONFLICT when another version was saved at the same
// moment (PostgreSQL; SQLite's single writer serializes them).
func (s *Store) CreateSLAPolicyVersion(ctx context.Context, p *fleetwatch.SLAPolicy, by int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT NOT is_deleted FROM organizations WHERE id = $1`,
			p.OrganizationID).Scan(&exists); errors.Is(err, sql.ErrNoRows) || (err == nil && !exists) {
			return fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Organization not found.")
		} else if err != nil {
			return fmt.Errorf("find organization: %w", err)
		}
		var version int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM sla_policies
			WHERE organization_id = $1`, p.OrganizationID).Scan(&version); err != nil {
			return fmt.Errorf("next sla policy version: %w", err)
		}
		d := p.Deadlines
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO sla_policies (uuid, organization_id, version, highly_critical_days, critical_days,
				moderately_critical_days, less_critical_days, not_critical_days, clock_start, created_at, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			RETURNING id`,
			newUUID(), p.OrganizationID, version, d.HighlyCritical, d.Critical,
			d.ModeratelyCritical, d.LessCritical, d.NotCritical, p.ClockStart, now(), nullID(by),
		).Scan(&id); err != nil {
			if s.d.isUniqueViolation(err, slaPolicyVersionKey) {
				return fleetwatch.Errorf(fleetwatch.ECONFLICT, "The SLA policy was changed at the same moment; try again.")
			}
			return fmt.Errorf("insert sla policy: %w", err)
		}
		saved, err := scanSLAPolicy(tx.QueryRowContext(ctx, `SELECT `+slaPolicyColumns+` `+slaPolicyFrom+`
			WHERE p.id = $1`, id))
		if err != nil {
			return fmt.Errorf("find sla policy: %w", err)
		}
		*p = *saved
		return nil
	})
	return err
}
