package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// patchRunSortColumns maps fleetwatch.PatchRunSortFields to columns.
var patchRunSortColumns = map[string]string{
	"run_date":   "p.run_date",
	"created_at": "p.created_at",
	"status":     "p.status",
	"tool":       "p.tool",
}

const patchRunColumns = `p.id, p.uuid, p.site_id, s.uuid, s.organization_id, o.uuid, p.run_date, p.started_at, p.finished_at,
	p.status, p.tool, p.changes, p.notes, p.recorded_by, u.uuid, p.audit_log_id, a.uuid, p.created_at`

const patchRunFrom = `FROM patch_runs p
	JOIN sites s ON s.id = p.site_id
	JOIN organizations o ON o.id = s.organization_id
	LEFT JOIN users u ON u.id = p.recorded_by
	LEFT JOIN audit_logs a ON a.id = p.audit_log_id`

func scanPatchRun(sc interface{ Scan(...any) error }) (*fleetwatch.PatchRun, error) {
	var (
		p                   fleetwatch.PatchRun
		started, finished   sql.NullTime
		changes             []byte
		recordedBy, auditID sql.NullInt64
		userUUID, auditUUID sql.NullString
	)
	if err := sc.Scan(&p.ID, &p.UUID, &p.SiteID, &p.SiteUUID, &p.OrganizationID, &p.OrganizationUUID, &p.RunDate, &started, &finished,
		&p.Status, &p.Tool, &changes, &p.Notes, &recordedBy, &userUUID, &auditID, &auditUUID, &p.CreatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(changes, &p.Changes); err != nil {
		return nil, fmt.Errorf("decode patch run changes: %w", err)
	}
	if p.Changes == nil {
		p.Changes = []fleetwatch.PatchRunChange{}
	}
	p.RunDate, p.CreatedAt = p.RunDate.UTC(), p.CreatedAt.UTC()
	p.StartedAt, p.FinishedAt = timePtr(started), timePtr(finished)
	p.RecordedBy, p.AuditLogID = recordedBy.Int64, auditID.Int64
	p.RecordedByUUID, p.AuditLogUUID = stringPtr(userUUID), stringPtr(auditUUID)
	return &p, nil
}

// insertPatchRun writes pr and fills its ID, UUID and CreatedAt.
func insertPatchRun(ctx context.Context, tx *sql.Tx, pr *fleetwatch.PatchRun) error {
	changes := pr.Changes
	if changes == nil {
		changes = []fleetwatch.PatchRunChange{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("encode patch run changes: %w", err)
	}
	t := now()
	id := newUUID()
	if err := tx.QueryRowContext(ctx, `INSERT INTO patch_runs (uuid, site_id, run_date, started_at, finished_at,
			status, tool, changes, notes, recorded_by, audit_log_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		id, pr.SiteID, dbTime(pr.RunDate), dbTimePtr(pr.StartedAt), dbTimePtr(pr.FinishedAt),
		pr.Status, pr.Tool, string(b), pr.Notes, nullID(pr.RecordedBy), nullID(pr.AuditLogID), t).Scan(&pr.ID); err != nil {
		return fmt.Errorf("insert patch run: %w", err)
	}
	pr.UUID, pr.CreatedAt = id, t
	return nil
}

// ApplyPatchRun records the patch run a claimed audit log carries, notes
// that the site was seen, and marks the log processed, in one transaction;
// it fills pr in as stored.
func (s *Store) ApplyPatchRun(ctx context.Context, l *fleetwatch.AuditLog, pr *fleetwatch.PatchRun) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := finishClaim(ctx, tx, l, nil, now()); err != nil {
			return err
		}
		pr.AuditLogID = l.ID
		if err := insertPatchRun(ctx, tx, pr); err != nil {
			return err
		}
		seen := dbTime(l.CreatedAt)
		if _, err := tx.ExecContext(ctx, `UPDATE sites SET
			last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < $1 THEN $1 ELSE last_seen_at END,
			first_seen_at = CASE WHEN first_seen_at IS NULL OR first_seen_at > $1 THEN $1 ELSE first_seen_at END
			WHERE id = $2`, seen, pr.SiteID); err != nil {
			return fmt.Errorf("touch site: %w", err)
		}
		return reloadPatchRun(ctx, tx, pr)
	})
}

// reloadPatchRun fills pr in from its stored row: site and organization
// ids, who recorded it.
func reloadPatchRun(ctx context.Context, tx *sql.Tx, pr *fleetwatch.PatchRun) error {
	saved, err := scanPatchRun(tx.QueryRowContext(ctx, `SELECT `+patchRunColumns+` `+patchRunFrom+` WHERE p.id = $1`, pr.ID))
	if err != nil {
		return fmt.Errorf("find patch run: %w", err)
	}
	*pr = *saved
	return nil
}

// CreatePatchRun records a patch run a user entered and fills it in.
func (s *Store) CreatePatchRun(ctx context.Context, pr *fleetwatch.PatchRun) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertPatchRun(ctx, tx, pr); err != nil {
			return err
		}
		return reloadPatchRun(ctx, tx, pr)
	})
}

// FindPatchRuns returns a page of the patch runs that match f, newest first
// by default. Q matches the notes.
func (s *Store) FindPatchRuns(ctx context.Context, f fleetwatch.PatchRunFilter) ([]*fleetwatch.PatchRun, int, error) {
	var c conds
	c.add(siteVisible)
	if f.OrganizationID != 0 {
		c.add("s.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.SiteID != 0 {
		c.add("p.site_id = " + c.arg(f.SiteID))
	}
	if f.Status != "" {
		c.add("p.status = " + c.arg(f.Status))
	}
	if f.Tool != "" {
		c.add("p.tool = " + c.arg(f.Tool))
	}
	if !f.RunFrom.IsZero() {
		c.add("p.run_date >= " + c.arg(dbTime(f.RunFrom)))
	}
	if !f.RunTo.IsZero() {
		c.add("p.run_date <= " + c.arg(dbTime(f.RunTo)))
	}
	c.search(s.d, f.Q, "p.notes", "s.name")
	order, err := orderBy(f.Sort, patchRunSortColumns, []fleetwatch.SortField{{Field: "run_date", Desc: true}}, "p.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find patch runs: %w", err)
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM patch_runs p
		JOIN sites s ON s.id = p.site_id JOIN organizations o ON o.id = s.organization_id `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count patch runs: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+patchRunColumns+` `+patchRunFrom+` `+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find patch runs: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.PatchRun{}
	for rows.Next() {
		p, err := scanPatchRun(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan patch run: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find patch runs: %w", err)
	}
	return out, total, nil
}
