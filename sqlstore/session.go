package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

var errSessionNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Session not found.")

const sessionColumns = `id, uuid, user_id, remote_addr, user_agent, created_at, expires_at, revoked_at`

func scanSession(sc interface{ Scan(...any) error }) (*fleetwatch.Session, error) {
	var (
		s       fleetwatch.Session
		revoked sql.NullTime
	)
	if err := sc.Scan(&s.ID, &s.UUID, &s.UserID, &s.RemoteAddr, &s.UserAgent, &s.CreatedAt, &s.ExpiresAt, &revoked); err != nil {
		return nil, err
	}
	s.CreatedAt, s.ExpiresAt, s.RevokedAt = s.CreatedAt.UTC(), s.ExpiresAt.UTC(), timePtr(revoked)
	return &s, nil
}

// CreateSession stores a session and its first refresh token's hash, and
// fills the session's ID and UUID.
func (s *Store) CreateSession(ctx context.Context, sess *fleetwatch.Session, refreshHash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		sess.UUID = newUUID()
		if err := tx.QueryRowContext(ctx, `
			INSERT INTO sessions (uuid, user_id, remote_addr, user_agent, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			sess.UUID, sess.UserID, sess.RemoteAddr, sess.UserAgent, dbTime(sess.CreatedAt), dbTime(sess.ExpiresAt),
		).Scan(&sess.ID); err != nil {
			return fmt.Errorf("insert session: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO refresh_tokens (session_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			sess.ID, refreshHash, dbTime(sess.CreatedAt), dbTime(sess.ExpiresAt)); err != nil {
			return fmt.Errorf("insert refresh token: %w", err)
		}
		return nil
	})
}

// FindSessionByUUID returns the session, revoked or not; ENOTFOUND otherwise.
func (s *Store) FindSessionByUUID(ctx context.Context, uuid string) (*fleetwatch.Session, error) {
	return findSession(ctx, s.rdb, "uuid = $1", uuid)
}

// FindSessionByID returns the session, revoked or not; ENOTFOUND otherwise.
func (s *Store) FindSessionByID(ctx context.Context, id int64) (*fleetwatch.Session, error) {
	return findSession(ctx, s.rdb, "id = $1", id)
}

func findSession(ctx context.Context, q querier, cond string, arg any) (*fleetwatch.Session, error) {
	sess, err := scanSession(q.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSessionNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	return sess, nil
}

// sessionStandingColumns and sessionStandingFrom read what authenticating
// an access token needs of its session, user and organization (scanned by
// standingScan).
const (
	sessionStandingColumns = `se.id, se.revoked_at, u.id, u.uuid, u.organization_id, u.role, u.is_active, COALESCE(o.is_active, TRUE)`
	sessionStandingFrom    = `FROM sessions se JOIN users u ON u.id = se.user_id
		LEFT JOIN organizations o ON o.id = u.organization_id`
)

// standingScan receives sessionStandingColumns.
type standingScan struct {
	st      fleetwatch.SessionStanding
	revoked sql.NullTime
	orgID   sql.NullInt64
}

func (x *standingScan) dest() []any {
	return []any{&x.st.SessionID, &x.revoked, &x.st.UserID, &x.st.UserUUID, &x.orgID, &x.st.Role, &x.st.UserActive, &x.st.OrganizationActive}
}

func (x *standingScan) standing() *fleetwatch.SessionStanding {
	x.st.Revoked, x.st.OrganizationID = x.revoked.Valid, x.orgID.Int64
	return &x.st
}

// FindSessionStanding returns a session's revocation and its user's
// standing, in one query: the per-request check of an access token.
func (s *Store) FindSessionStanding(ctx context.Context, sessionUUID string) (*fleetwatch.SessionStanding, error) {
	return s.findSessionStanding(ctx, "se.uuid = $1", sessionUUID)
}

// FindSessionStandingByID is FindSessionStanding by the session's id: the
// event streams' check that their credential still holds.
func (s *Store) FindSessionStandingByID(ctx context.Context, id int64) (*fleetwatch.SessionStanding, error) {
	return s.findSessionStanding(ctx, "se.id = $1", id)
}

func (s *Store) findSessionStanding(ctx context.Context, cond string, arg any) (*fleetwatch.SessionStanding, error) {
	var x standingScan
	err := s.rdb.QueryRowContext(ctx, `SELECT `+sessionStandingColumns+` `+sessionStandingFrom+`
		WHERE `+cond+` AND `+userVisible, arg).Scan(x.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSessionNotFound
	} else if err != nil {
		return nil, fmt.Errorf("find session standing: %w", err)
	}
	return x.standing(), nil
}

// RotateRefreshToken marks the token used and adds its successor to the same
// session, in one transaction. A token that was already used is returned
// as it was and nothing changes, so that the caller can revoke the family.
func (s *Store) RotateRefreshToken(ctx context.Context, oldHash, newHash string, at, expiresAt time.Time) (*fleetwatch.RefreshToken, error) {
	var rt fleetwatch.RefreshToken
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var used sql.NullTime
		err := tx.QueryRowContext(ctx, `SELECT session_id, used_at, expires_at FROM refresh_tokens WHERE token_hash = $1`, oldHash).
			Scan(&rt.SessionID, &used, &rt.ExpiresAt)
		if errors.Is(err, sql.ErrNoRows) {
			return fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Refresh token not found.")
		} else if err != nil {
			return fmt.Errorf("find refresh token: %w", err)
		}
		rt.UsedAt, rt.ExpiresAt = timePtr(used), rt.ExpiresAt.UTC()
		if rt.UsedAt != nil {
			return nil
		}
		// The used_at condition makes two concurrent rotations of the same
		// token end with one winner on PostgreSQL too.
		res, err := tx.ExecContext(ctx, `UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL`, dbTime(at), oldHash)
		if err != nil {
			return fmt.Errorf("use refresh token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t := dbTime(at)
			rt.UsedAt = &t
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO refresh_tokens (session_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			rt.SessionID, newHash, dbTime(at), dbTime(expiresAt)); err != nil {
			return fmt.Errorf("insert refresh token: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rt, nil
}

// RevokeSession ends a session; revoking it twice keeps the first time.
func (s *Store) RevokeSession(ctx context.Context, id int64, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, dbTime(at), id); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeUserSessions ends every open session of a user except keep.
func (s *Store) RevokeUserSessions(ctx context.Context, userID, keep int64, at time.Time) error {
	return revokeSessions(ctx, s.db, at, `user_id = $2 AND id <> $3`, userID, keep)
}

// revokeSessions ends, at at, the open sessions that cond selects (its
// arguments are $2 on), on q: the writer, or a transaction of it.
func revokeSessions(ctx context.Context, q querier, at time.Time, cond string, args ...any) error {
	if _, err := q.ExecContext(ctx, `UPDATE sessions SET revoked_at = $1 WHERE revoked_at IS NULL AND `+cond, append([]any{dbTime(at)}, args...)...); err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// SetTOTP stores the encrypted TOTP secret and whether 2FA is on. Clearing
// the secret also removes the backup codes and the replay guard.
func (s *Store) SetTOTP(ctx context.Context, userID int64, encryptedSecret string, enabled bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = $1, totp_enabled = $2 WHERE id = $3`, encryptedSecret, enabled, userID); err != nil {
			return fmt.Errorf("set totp: %w", err)
		}
		if encryptedSecret == "" {
			if _, err := tx.ExecContext(ctx, `DELETE FROM backup_codes WHERE user_id = $1`, userID); err != nil {
				return fmt.Errorf("delete backup codes: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = 0 WHERE id = $1`, userID); err != nil {
				return fmt.Errorf("reset totp step: %w", err)
			}
		}
		return nil
	})
}

// ClaimTOTPStep records step as the newest accepted TOTP step; false when it
// or a later step was accepted before (a replay).
func (s *Store) ClaimTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, userID)
	if err != nil {
		return false, fmt.Errorf("claim totp step: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim totp step: %w", err)
	}
	return n == 1, nil
}

// ReplaceBackupCodes replaces a user's backup codes.
func (s *Store) ReplaceBackupCodes(ctx context.Context, userID int64, hashes []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM backup_codes WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("delete backup codes: %w", err)
		}
		for _, h := range hashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO backup_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
				return fmt.Errorf("insert backup code: %w", err)
			}
		}
		return nil
	})
}

// UseBackupCode marks an unused code used; false when no unused code matches.
func (s *Store) UseBackupCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE backup_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
		dbTime(at), userID, hash)
	if err != nil {
		return false, fmt.Errorf("use backup code: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("use backup code: %w", err)
	}
	return n == 1, nil
}

// UseToken records a single-use token's id: the insert is the claim, so
// that of two concurrent uses only one succeeds, on either database. The
// records of expired tokens are pruned on the way.
func (s *Store) UseToken(ctx context.Context, id string, expiresAt time.Time) (bool, error) {
	var used bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM used_tokens WHERE expires_at < $1`, dbTime(now())); err != nil {
			return fmt.Errorf("prune used tokens: %w", err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO used_tokens (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, id, dbTime(expiresAt))
		if err != nil {
			return fmt.Errorf("use token: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("use token: %w", err)
		}
		used = n == 1
		return nil
	})
	return used, err
}

// SetNotificationPreferences replaces a user's preferences.
func (s *Store) SetNotificationPreferences(ctx context.Context, userID int64, prefs json.RawMessage) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE users SET notification_preferences = $1 WHERE id = $2`, jsonOr(prefs, "{}"), userID); err != nil {
		return fmt.Errorf("set notification preferences: %w", err)
	}
	return nil
}
