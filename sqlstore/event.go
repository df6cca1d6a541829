package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// CreateEventTicket stores a ticket, and drops the tickets that expired
// before it was made so that the table stays small.
func (s *Store) CreateEventTicket(ctx context.Context, t *fleetwatch.EventTicket) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		if !t.CreatedAt.IsZero() {
			at = dbTime(t.CreatedAt)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_tickets WHERE expires_at < $1`, at); err != nil {
			return fmt.Errorf("prune event tickets: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO event_tickets (ticket_hash, sealed, user_id, api_key_id, remote_addr, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			t.Hash, t.Sealed, nullID(t.UserID), nullID(t.APIKeyID), t.RemoteAddr, at, dbTime(t.ExpiresAt),
		); err != nil {
			return fmt.Errorf("insert event ticket: %w", err)
		}
		t.CreatedAt = at
		return nil
	})
}

// RedeemEventTicket deletes the ticket with the hash and returns it; ENOTFOUND
// when it is unknown, already redeemed or expired at now. Deleting in the
// same statement that reads makes it single-use across replicas.
func (s *Store) RedeemEventTicket(ctx context.Context, hash string, at time.Time) (*fleetwatch.EventTicket, error) {
	var t fleetwatch.EventTicket
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var userID, keyID sql.NullInt64
		err := tx.QueryRowContext(ctx, `
			DELETE FROM event_tickets WHERE ticket_hash = $1
			RETURNING ticket_hash, sealed, user_id, api_key_id, remote_addr, created_at, expires_at`, hash,
		).Scan(&t.Hash, &t.Sealed, &userID, &keyID, &t.RemoteAddr, &t.CreatedAt, &t.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return errTicketNotFound
		} else if err != nil {
			return fmt.Errorf("redeem event ticket: %w", err)
		}
		t.UserID, t.APIKeyID = userID.Int64, keyID.Int64
		t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !at.Before(t.ExpiresAt) {
		return nil, errTicketNotFound
	}
	return &t, nil
}

var errTicketNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Unknown, used or expired ticket.")
