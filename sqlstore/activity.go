package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// activitySortColumns maps fleetwatch.ActivitySortFields to columns.
var activitySortColumns = map[string]string{
	"created_at": "a.created_at",
	"action":     "a.action",
}

const activityColumns = `a.id, a.uuid, a.organization_id, o.uuid, o.name, a.user_id, u.uuid,
	COALESCE(NULLIF(u.name, ''), u.email), a.action, a.target_type, a.target_uuid, a.remote_addr, a.details, a.created_at`

// activityFrom does not hide the entries of deleted users or organizations:
// the trail is the record of their deletion too.
const activityFrom = `FROM activity_logs a
	LEFT JOIN organizations o ON o.id = a.organization_id
	LEFT JOIN users u ON u.id = a.user_id`

func scanActivity(sc interface{ Scan(...any) error }) (*fleetwatch.ActivityLog, error) {
	var (
		a                 fleetwatch.ActivityLog
		orgID, userID     sql.NullInt64
		orgUUID, userUUID sql.NullString
		orgName, userName sql.NullString
	)
	if err := sc.Scan(&a.ID, &a.UUID, &orgID, &orgUUID, &orgName, &userID, &userUUID, &userName,
		&a.Action, &a.TargetType, &a.TargetUUID, &a.RemoteAddr, &a.Details, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.OrganizationID, a.OrganizationUUID = orgID.Int64, stringPtr(orgUUID)
	a.UserID, a.UserUUID = userID.Int64, stringPtr(userUUID)
	a.OrganizationName, a.UserName = stringPtr(orgName), stringPtr(userName)
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// CreateActivity appends a to the trail and fills its ID, UUID,
// OrganizationUUID, UserUUID and, when zero, CreatedAt. OrganizationID and
// UserID may be 0 for none; Details must be JSON text or empty.
func (s *Store) CreateActivity(ctx context.Context, a *fleetwatch.ActivityLog) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		if !a.CreatedAt.IsZero() {
			at = dbTime(a.CreatedAt)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO activity_logs (uuid, organization_id, user_id, action, target_type, target_uuid,
				remote_addr, details, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING id`,
			newUUID(), nullID(a.OrganizationID), nullID(a.UserID), a.Action, a.TargetType, a.TargetUUID,
			a.RemoteAddr, jsonOr([]byte(a.Details), "{}"), at,
		).Scan(&id); err != nil {
			return fmt.Errorf("insert activity: %w", err)
		}
		created, err := scanActivity(tx.QueryRowContext(ctx, `SELECT `+activityColumns+` `+activityFrom+`
			WHERE a.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("insert activity: row %d vanished", id)
		} else if err != nil {
			return fmt.Errorf("find activity: %w", err)
		}
		*a = *created
		return nil
	})
}

// FindActivity returns a page of the trail, newest first unless sorted
// otherwise, and how many entries match in all. Q searches the action, the
// target type and the target's uuid.
func (s *Store) FindActivity(ctx context.Context, f fleetwatch.ActivityFilter) ([]*fleetwatch.ActivityLog, int, error) {
	var c conds
	if f.OrganizationID != 0 {
		c.add("a.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.Action != "" {
		c.add("a.action = " + c.arg(f.Action))
	}
	c.search(s.d, f.Q, "a.action", "a.target_type", "a.target_uuid")
	order, err := orderBy(f.Sort, activitySortColumns, []fleetwatch.SortField{{Field: "created_at", Desc: true}}, "a.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find activity: %w", err)
	}

	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM activity_logs a `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count activity: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+activityColumns+` `+activityFrom+` `+
		c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find activity: %w", err)
	}
	defer rows.Close()
	entries := []*fleetwatch.ActivityLog{}
	for rows.Next() {
		a, err := scanActivity(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan activity: %w", err)
		}
		entries = append(entries, a)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find activity: %w", err)
	}
	return entries, total, nil
}
