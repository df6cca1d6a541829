package servicetest

import (
	"context"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// CreateSession stores a session with its first refresh token's hash and
// fills its ID and UUID.
func (s *Store) CreateSession(_ context.Context, sess *fleetwatch.Session, refreshHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess.ID, sess.UUID = s.next()
	c := *sess
	s.sessions[sess.ID] = &c
	s.refresh[refreshHash] = &fleetwatch.RefreshToken{SessionID: sess.ID, ExpiresAt: sess.ExpiresAt}
	return nil
}

// FindSessionByID returns ENOTFOUND for an unknown session.
func (s *Store) FindSessionByID(_ context.Context, id int64) (*fleetwatch.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.sessions[id]; ok {
		c := *sess
		return &c, nil
	}
	return nil, notFound("Session")
}

func (s *Store) standing(match func(*fleetwatch.Session) bool) (*fleetwatch.SessionStanding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if !match(sess) {
			continue
		}
		u, ok := s.users[sess.UserID]
		if !ok {
			break
		}
		uu := s.user(u)
		return &fleetwatch.SessionStanding{
			SessionID: sess.ID, Revoked: sess.RevokedAt != nil, UserID: u.ID, UserUUID: u.UUID,
			OrganizationID: u.OrganizationID, Role: u.Role, UserActive: u.IsActive, OrganizationActive: uu.OrganizationActive,
		}, nil
	}
	return nil, notFound("Session")
}

// FindSessionStanding reads a session and its user; ENOTFOUND for an
// unknown session.
func (s *Store) FindSessionStanding(_ context.Context, sessionUUID string) (*fleetwatch.SessionStanding, error) {
	return s.standing(func(sess *fleetwatch.Session) bool { return sess.UUID == sessionUUID })
}

// FindSessionStandingByID is FindSessionStanding by the session's id.
func (s *Store) FindSessionStandingByID(_ context.Context, id int64) (*fleetwatch.SessionStanding, error) {
	return s.standing(func(sess *fleetwatch.Session) bool { return sess.ID == id })
}

// RotateRefreshToken marks the token with oldHash used and adds newHash to
// its session, unless it was used before; it returns the token as it was.
// ENOTFOUND for an unknown token.
func (s *Store) RotateRefreshToken(_ context.Context, oldHash, newHash string, now, expiresAt time.Time) (*fleetwatch.RefreshToken, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[oldHash]
	if !ok {
		return nil, notFound("Refresh token")
	}
	was := *rt
	if rt.UsedAt == nil {
		at := now.UTC()
		rt.UsedAt = &at
		s.refresh[newHash] = &fleetwatch.RefreshToken{SessionID: rt.SessionID, ExpiresAt: expiresAt}
	}
	return &was, nil
}

// RevokeSession ends a session; revoking twice is not an error.
func (s *Store) RevokeSession(_ context.Context, id int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sess, ok := s.sessions[id]; ok && sess.RevokedAt == nil {
		at := at.UTC()
		sess.RevokedAt = &at
	}
	return nil
}

// RevokeUserSessions ends every session of a user but keep.
func (s *Store) RevokeUserSessions(_ context.Context, userID, keep int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sess := range s.sessions {
		if sess.UserID == userID && sess.ID != keep && sess.RevokedAt == nil {
			at := at.UTC()
			sess.RevokedAt = &at
		}
	}
	return nil
}

// SetTOTP stores a user's sealed TOTP secret; an empty secret turns 2FA
// off and removes the backup codes and the last accepted step.
func (s *Store) SetTOTP(_ context.Context, userID int64, encryptedSecret string, enabled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		return nil
	}
	u.TOTPSecret, u.TOTPEnabled = encryptedSecret, enabled
	if encryptedSecret == "" {
		delete(s.backup, userID)
		delete(s.totpStep, userID)
	}
	return nil
}

// ClaimTOTPStep records step as the newest accepted step; false when it
// or a later one was accepted before.
func (s *Store) ClaimTOTPStep(_ context.Context, userID, step int64) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if step <= s.totpStep[userID] {
		return false, nil
	}
	s.totpStep[userID] = step
	return true, nil
}

// ReplaceBackupCodes replaces a user's backup codes by these hashes.
func (s *Store) ReplaceBackupCodes(_ context.Context, userID int64, hashes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	codes := map[string]bool{}
	for _, h := range hashes {
		codes[h] = false
	}
	s.backup[userID] = codes
	return nil
}

// UseBackupCode marks an unused code used; false when none matches.
func (s *Store) UseBackupCode(_ context.Context, userID int64, hash string, _ time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	used, ok := s.backup[userID][hash]
	if !ok || used {
		return false, nil
	}
	s.backup[userID][hash] = true
	return true, nil
}

// UseToken spends a single-use token: true the first time.
func (s *Store) UseToken(_ context.Context, id string, expiresAt time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.tokens[id]; ok {
		return false, nil
	}
	s.tokens[id] = expiresAt
	return true, nil
}

// API keys are not kept: the services under test here authenticate users.

// FindAPIKeyByHash returns ENOTFOUND: the store keeps no keys.
func (s *Store) FindAPIKeyByHash(context.Context, string) (*fleetwatch.APIKey, error) {
	return nil, notFound("API key")
}

// FindAPIKeyByID returns ENOTFOUND: the store keeps no keys.
func (s *Store) FindAPIKeyByID(context.Context, int64) (*fleetwatch.APIKey, error) {
	return nil, notFound("API key")
}

// TouchAPIKey does nothing: the store keeps no keys.
func (s *Store) TouchAPIKey(context.Context, int64, time.Time) error { return nil }

// UnusedBackupCodes says how many backup codes of a user are left.
func (s *Store) UnusedBackupCodes(userID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, used := range s.backup[userID] {
		if !used {
			n++
		}
	}
	return n
}
