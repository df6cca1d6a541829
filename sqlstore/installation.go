package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// InstallationID returns the id the first migration generated for this
// installation (its database and every replica on it).
func (s *Store) InstallationID(ctx context.Context) (string, error) {
	var id string
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM installation`).Scan(&id); err != nil {
		return "", fmt.Errorf("read installation id: %w", err)
	}
	return id, nil
}

// ClaimKeyCheck stores check as the installation's key check value unless
// one is stored already, and returns the one stored: check itself when this
// call, or an earlier one with the same key, stored it. Two replicas that
// start at once with different keys both get the first one's.
func (s *Store) ClaimKeyCheck(ctx context.Context, check string) (string, error) {
	var stored sql.NullString
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE installation SET key_check = $1 WHERE key_check IS NULL`, check); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT key_check FROM installation`).Scan(&stored)
	})
	if err != nil {
		return "", fmt.Errorf("store key check value: %w", err)
	}
	return stored.String, nil
}
