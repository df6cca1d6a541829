package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
)

// deliverySortColumns maps fleetwatch.DeliverySortFields to columns.
var deliverySortColumns = map[string]string{
	"created_at": "d.created_at",
	"updated_at": "d.updated_at",
	"status":     "d.status",
}

const deliveryColumns = `d.id, d.uuid, d.user_id, d.channel, d.kind, d.dedupe_key, d.target, d.subject,
	d.status, d.attempts, d.last_error, d.created_at, d.updated_at, d.sent_at`

func scanDelivery(sc interface{ Scan(...any) error }) (*fleetwatch.NotificationDelivery, error) {
	var (
		d      fleetwatch.NotificationDelivery
		sentAt sql.NullTime
	)
	if err := sc.Scan(&d.ID, &d.UUID, &d.UserID, &d.Channel, &d.Kind, &d.Key, &d.Target, &d.Subject,
		&d.Status, &d.Attempts, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &sentAt); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt, d.SentAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC(), timePtr(sentAt)
	return &d, nil
}

// ClaimDelivery inserts d as pending unless a delivery with the same (user,
// channel, key) exists, and reports whether it did. The unique key makes the
// claim atomic across replicas: exactly one claimer gets true.
func (s *Store) ClaimDelivery(ctx context.Context, d *fleetwatch.NotificationDelivery) (bool, error) {
	claimed := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		row, err := scanDelivery(tx.QueryRowContext(ctx, `
			INSERT INTO notification_deliveries (uuid, user_id, channel, kind, dedupe_key, target, subject,
				status, attempts, last_error, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '', $9, $9)
			ON CONFLICT (user_id, channel, dedupe_key) DO NOTHING
			RETURNING id, uuid, user_id, channel, kind, dedupe_key, target, subject,
				status, attempts, last_error, created_at, updated_at, sent_at`,
			newUUID(), d.UserID, d.Channel, d.Kind, d.Key, d.Target, d.Subject, fleetwatch.DeliveryPending, at))
		if errors.Is(err, sql.ErrNoRows) {
			return nil // another claimer was first
		} else if err != nil {
			return fmt.Errorf("claim delivery: %w", err)
		}
		*d, claimed = *row, true
		return nil
	})
	return claimed, err
}

// UpdateDelivery records an attempt of d: its status, attempts, last error
// and sent time. ENOTFOUND for an unknown delivery.
func (s *Store) UpdateDelivery(ctx context.Context, d *fleetwatch.NotificationDelivery) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		res, err := tx.ExecContext(ctx, `
			UPDATE notification_deliveries SET status = $1, attempts = $2, last_error = $3, sent_at = $4, updated_at = $5
			WHERE id = $6`,
			d.Status, d.Attempts, d.LastError, dbTimePtr(d.SentAt), at, d.ID)
		if err != nil {
			return fmt.Errorf("update delivery: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update delivery: %w", err)
		} else if n == 0 {
			return fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Delivery not found.")
		}
		d.UpdatedAt = at
		return nil
	})
}

// FindDeliveries returns a page of the delivery log, newest first unless
// sorted otherwise, and how many entries match in all.
func (s *Store) FindDeliveries(ctx context.Context, f fleetwatch.DeliveryFilter) ([]*fleetwatch.NotificationDelivery, int, error) {
	var c conds
	if f.UserID != 0 {
		c.add("d.user_id = " + c.arg(f.UserID))
	}
	if f.Channel != "" {
		c.add("d.channel = " + c.arg(f.Channel))
	}
	if f.Status != "" {
		c.add("d.status = " + c.arg(f.Status))
	}
	c.search(s.d, f.Q, "d.kind", "d.subject", "d.target")
	order, err := orderBy(f.Sort, deliverySortColumns, []fleetwatch.SortField{{Field: "created_at", Desc: true}}, "d.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find deliveries: %w", err)
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM notification_deliveries d `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count deliveries: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM notification_deliveries d `+
		c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find deliveries: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.NotificationDelivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan delivery: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find deliveries: %w", err)
	}
	return out, total, nil
}
