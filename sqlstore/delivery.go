package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// deliverySortColumns maps fleetwatch.DeliverySortFields to columns.
var deliverySortColumns = map[string]string{
	"created_at": "d.created_at",
	"updated_at": "d.updated_at",
	"status":     "d.status",
}

// deliveryReturning are deliveryColumns without their table's alias, for
// RETURNING.
const deliveryReturning = `id, uuid, user_id, channel, kind, dedupe_key, target, subject,
	status, attempts, last_error, created_at, updated_at, sent_at, next_attempt_at, body, lease`

const deliveryColumns = `d.id, d.uuid, d.user_id, d.channel, d.kind, d.dedupe_key, d.target, d.subject,
	d.status, d.attempts, d.last_error, d.created_at, d.updated_at, d.sent_at, d.next_attempt_at, d.body, d.lease`

func scanDelivery(sc interface{ Scan(...any) error }) (*fleetwatch.NotificationDelivery, error) {
	var (
		d           fleetwatch.NotificationDelivery
		sentAt, due sql.NullTime
	)
	if err := sc.Scan(&d.ID, &d.UUID, &d.UserID, &d.Channel, &d.Kind, &d.Key, &d.Target, &d.Subject,
		&d.Status, &d.Attempts, &d.LastError, &d.CreatedAt, &d.UpdatedAt, &sentAt, &due, &d.Body, &d.Lease); err != nil {
		return nil, err
	}
	d.CreatedAt, d.UpdatedAt, d.SentAt, d.NextAttemptAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC(), timePtr(sentAt), timePtr(due)
	return &d, nil
}

// ClaimDelivery inserts d as pending (under d.UUID when set) unless a
// delivery with the same (user, channel, key) exists, and reports whether
// it did. The unique key makes the
// claim atomic across replicas: exactly one claimer gets true.
func (s *Store) ClaimDelivery(ctx context.Context, d *fleetwatch.NotificationDelivery) (bool, error) {
	claimed := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		id := d.UUID
		if id == "" {
			id = newUUID()
		}
		row, err := scanDelivery(tx.QueryRowContext(ctx, `
			INSERT INTO notification_deliveries (uuid, user_id, channel, kind, dedupe_key, target, subject,
				status, attempts, last_error, created_at, updated_at, next_attempt_at, body, lease)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '', $9, $9, $10, $11, $12)
			ON CONFLICT (user_id, channel, dedupe_key) DO NOTHING
			RETURNING `+deliveryReturning,
			id, d.UserID, d.Channel, d.Kind, d.Key, d.Target, d.Subject, fleetwatch.DeliveryPending, at,
			dbTimePtr(d.NextAttemptAt), d.Body, newUUID()))
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
		next := d.NextAttemptAt
		if d.Status != fleetwatch.DeliveryPending {
			next = nil
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE notification_deliveries SET status = $1, attempts = $2, last_error = $3, sent_at = $4, updated_at = $5,
				next_attempt_at = $6
			WHERE id = $7 AND lease = $8 AND status = $9`,
			d.Status, d.Attempts, d.LastError, dbTimePtr(d.SentAt), at, dbTimePtr(next), d.ID, d.Lease, fleetwatch.DeliveryPending)
		if err != nil {
			return fmt.Errorf("update delivery: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update delivery: %w", err)
		} else if n == 0 {
			return fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Delivery not found, or no longer pending under this lease.")
		}
		d.NextAttemptAt = next
		d.UpdatedAt = at
		return nil
	})
}

// RenewDelivery claims d again for an attempt at at, under a new token,
// and reports false when another claimer took it over (or it is no longer
// pending).
func (s *Store) RenewDelivery(ctx context.Context, d *fleetwatch.NotificationDelivery, at time.Time) (bool, error) {
	lease := newUUID()
	res, err := s.db.ExecContext(ctx, `UPDATE notification_deliveries SET lease = $1, next_attempt_at = $2
		WHERE id = $3 AND lease = $4 AND status = $5`, lease, dbTime(at), d.ID, d.Lease, fleetwatch.DeliveryPending)
	if err != nil {
		return false, fmt.Errorf("renew delivery: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("renew delivery: %w", err)
	} else if n == 0 {
		return false, nil
	}
	u := dbTime(at)
	d.Lease, d.NextAttemptAt = lease, &u
	return true, nil
}

// ClaimDueDeliveries takes over up to limit pending deliveries due by due,
// oldest due first, under one new lease, for an attempt at at. One
// statement, with SKIP LOCKED on PostgreSQL: concurrent claimers get
// different rows.
func (s *Store) ClaimDueDeliveries(ctx context.Context, due, at time.Time, limit int) ([]*fleetwatch.NotificationDelivery, error) {
	var out []*fleetwatch.NotificationDelivery
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE notification_deliveries SET lease = $1, next_attempt_at = $2
			WHERE id IN (SELECT id FROM notification_deliveries WHERE status = $3 AND next_attempt_at <= $4
				ORDER BY next_attempt_at, id LIMIT $5`+s.d.skipLocked+`)
			RETURNING `+deliveryReturning, newUUID(), dbTime(at), fleetwatch.DeliveryPending, dbTime(due), limit)
		if err != nil {
			return fmt.Errorf("claim due deliveries: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDelivery(rows)
			if err != nil {
				return fmt.Errorf("scan delivery: %w", err)
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *fleetwatch.NotificationDelivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
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
