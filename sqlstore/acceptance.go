package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

const acceptanceColumns = `a.id, a.uuid, a.exposure_id, e.uuid, a.justification, a.accepted_at, a.expires_at,
	ab.uuid, COALESCE(NULLIF(ab.name, ''), ab.email), a.revoked_at, rb.uuid, COALESCE(NULLIF(rb.name, ''), rb.email), a.due_shift_seconds`

const acceptanceFrom = `FROM exposure_acceptances a JOIN exposures e ON e.id = a.exposure_id
	LEFT JOIN users ab ON ab.id = a.accepted_by LEFT JOIN users rb ON rb.id = a.revoked_by`

func scanAcceptance(sc interface{ Scan(...any) error }) (*fleetwatch.Acceptance, error) {
	var (
		a              fleetwatch.Acceptance
		ab, rb         sql.NullString
		abName, rbName sql.NullString
		revoked        sql.NullTime
		shift          int64
	)
	if err := sc.Scan(&a.ID, &a.UUID, &a.ExposureID, &a.ExposureUUID, &a.Justification, &a.AcceptedAt, &a.ExpiresAt,
		&ab, &abName, &revoked, &rb, &rbName, &shift); err != nil {
		return nil, err
	}
	a.AcceptedAt, a.ExpiresAt, a.RevokedAt = a.AcceptedAt.UTC(), a.ExpiresAt.UTC(), timePtr(revoked)
	a.AcceptedBy, a.RevokedBy, a.DueShift = stringPtr(ab), stringPtr(rb), time.Duration(shift)*time.Second
	a.AcceptedByName, a.RevokedByName = stringPtr(abName), stringPtr(rbName)
	return &a, nil
}

var errNoAcceptance = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "The exposure has no acceptance in force.")

// CreateAcceptance records the acceptance and moves the exposure's due date
// by its shift, in one transaction.
func (s *Store) CreateAcceptance(ctx context.Context, a *fleetwatch.Acceptance, by int64) error {
	return s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		// The exposure is locked first (PostgreSQL): a second acceptance, a
		// resolution or a due date computed again waits for this one.
		var resolved sql.NullTime
		if err := tx.QueryRowContext(ctx, `SELECT resolved_at FROM exposures WHERE id = $1`+s.d.lockSite, a.ExposureID).Scan(&resolved); err != nil {
			return fmt.Errorf("find exposure: %w", err)
		}
		if resolved.Valid {
			return fleetwatch.Errorf(fleetwatch.ECONFLICT, "The exposure is resolved; there is no risk left to accept.")
		}
		if _, err := findActiveAcceptance(ctx, tx, a.ExposureID, a.AcceptedAt); err == nil {
			return fleetwatch.Errorf(fleetwatch.ECONFLICT, "The exposure is already accepted; revoke that acceptance first.")
		} else if fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO exposure_acceptances (uuid, exposure_id, justification, accepted_at, expires_at, accepted_by, due_shift_seconds)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			newUUID(), a.ExposureID, a.Justification, dbTime(a.AcceptedAt), dbTime(a.ExpiresAt), nullID(by), int64(a.DueShift/time.Second),
		).Scan(&id); err != nil {
			return fmt.Errorf("insert acceptance: %w", err)
		}
		if err := shiftDue(ctx, tx, s.d, counted, a.ExposureID, a.DueShift); err != nil {
			return err
		}
		created, err := scanAcceptance(tx.QueryRowContext(ctx, `SELECT `+acceptanceColumns+` `+acceptanceFrom+` WHERE a.id = $1`, id))
		if err != nil {
			return fmt.Errorf("read acceptance: %w", err)
		}
		*a = *created
		return nil
	})
}

// shiftDue moves an open exposure's due date by d (seconds precision),
// the row locked between its read and its write (PostgreSQL), and counts
// the move.
func shiftDue(ctx context.Context, tx *sql.Tx, dia *dialect, counted *counts, exposureID int64, d time.Duration) error {
	if d == 0 {
		return nil
	}
	x, err := scanCountedExposure(tx.QueryRowContext(ctx, `SELECT `+exposureCountColumns+` FROM exposures e WHERE e.id = $1`+dia.lockSite, exposureID))
	if err != nil {
		return fmt.Errorf("read due date: %w", err)
	}
	if x.span.ResolvedAt != nil {
		return nil
	}
	moved := x
	moved.span.DueAt = dbTime(x.span.DueAt.Add(d))
	if _, err := tx.ExecContext(ctx, `UPDATE exposures SET due_at = $1, updated_at = $2 WHERE id = $3`,
		moved.span.DueAt, now(), exposureID); err != nil {
		return fmt.Errorf("shift due date: %w", err)
	}
	counted.add(x, -1)
	counted.add(moved, 1)
	return nil
}

// acceptedShifts returns, by exposure, how far its acceptances have moved
// its due date: each one's shift, less the part RevokeAcceptance gave back
// when it was revoked. A due date computed again keeps it (SLAInput.Paused).
func acceptedShifts(ctx context.Context, q querier, d *dialect, exposureIDs []int64) (map[int64]time.Duration, error) {
	out := map[int64]time.Duration{}
	for chunk := range chunks(exposureIDs, d.inBatch()) {
		var c conds
		rows, err := q.QueryContext(ctx, `SELECT exposure_id, due_shift_seconds, expires_at, revoked_at
			FROM exposure_acceptances WHERE `+c.in(d, "exposure_id", chunk), c.args...)
		if err != nil {
			return nil, fmt.Errorf("find acceptances: %w", err)
		}
		for rows.Next() {
			var (
				id, seconds int64
				expires     time.Time
				revoked     sql.NullTime
			)
			if err := rows.Scan(&id, &seconds, &expires, &revoked); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan acceptance: %w", err)
			}
			shift := time.Duration(seconds) * time.Second
			if revoked.Valid {
				shift -= min(shift, expires.Sub(revoked.Time).Truncate(time.Second))
			}
			out[id] += shift
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find acceptances: %w", err)
		}
	}
	return out, nil
}

// FindActiveAcceptance returns the acceptance that holds at t.
func (s *Store) FindActiveAcceptance(ctx context.Context, exposureID int64, t time.Time) (*fleetwatch.Acceptance, error) {
	return findActiveAcceptance(ctx, s.rdb, exposureID, t)
}

func findActiveAcceptance(ctx context.Context, q querier, exposureID int64, t time.Time) (*fleetwatch.Acceptance, error) {
	a, err := scanAcceptance(q.QueryRowContext(ctx, `SELECT `+acceptanceColumns+` `+acceptanceFrom+`
		WHERE a.exposure_id = $1 AND a.revoked_at IS NULL AND a.expires_at > $2 ORDER BY a.id DESC LIMIT 1`, exposureID, dbTime(t)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoAcceptance
	} else if err != nil {
		return nil, fmt.Errorf("find acceptance: %w", err)
	}
	return a, nil
}

// RevokeAcceptance ends the acceptance at t; the part of its shift not yet
// used comes off the exposure's due date again.
func (s *Store) RevokeAcceptance(ctx context.Context, id int64, t time.Time, by int64) error {
	return s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		a, err := scanAcceptance(tx.QueryRowContext(ctx, `SELECT `+acceptanceColumns+` `+acceptanceFrom+` WHERE a.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.Active(t)) {
			return errNoAcceptance
		} else if err != nil {
			return fmt.Errorf("find acceptance: %w", err)
		}
		// The exposure first, as CreateAcceptance locks it; then the
		// acceptance, once: a concurrent revocation finds it revoked.
		if _, err := tx.ExecContext(ctx, `SELECT id FROM exposures WHERE id = $1`+s.d.lockSite, a.ExposureID); err != nil {
			return fmt.Errorf("lock exposure: %w", err)
		}
		res, err := tx.ExecContext(ctx, `UPDATE exposure_acceptances SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL`,
			dbTime(t), nullID(by), id)
		if err != nil {
			return fmt.Errorf("revoke acceptance: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("revoke acceptance: %w", err)
		} else if n == 0 {
			return errNoAcceptance
		}
		// From the stored time, as acceptedShifts computes it again.
		unused := min(a.DueShift, a.ExpiresAt.Sub(dbTime(t)).Truncate(time.Second))
		return shiftDue(ctx, tx, s.d, counted, a.ExposureID, -unused)
	})
}
