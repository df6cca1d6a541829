package fleetwatch

import (
	"context"
	"encoding/json"
	"time"
)

// Session is one sign-in: the family of a user's refresh tokens, and what
// every access token issued to it points to. Revoking it ends the access and
// refresh tokens at once, on every replica.
type Session struct {
	ID         int64
	UUID       string
	UserID     int64
	RemoteAddr string
	UserAgent  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

// SessionStanding is what authenticating an access token needs to know of
// its session and user, read together.
type SessionStanding struct {
	SessionID      int64
	Revoked        bool
	UserID         int64
	UserUUID       string
	OrganizationID int64
	Role           string
	UserActive     bool
	// OrganizationActive is false when the user's organization is
	// inactive (true when they have none).
	OrganizationActive bool
}

// RefreshToken is one link of a session's chain of refresh tokens; only the
// newest is usable, and presenting an older one revokes the session.
type RefreshToken struct {
	SessionID int64
	UsedAt    *time.Time
	ExpiresAt time.Time
}

// API key kinds and scopes.
const (
	KeyKindSite        = "site"        // pushes for one site (prefix fwk_)
	KeyKindIntegration = "integration" // reads or writes the API for one organization (prefix fwi_)
	ScopeRead          = "read"
	ScopeWrite         = "write"
)

// APIKey is a long-lived credential for a machine: a Drupal site pushing its
// inventory, or a system integrating with the API. Only its SHA-256 hash is
// stored; the key itself is shown once.
type APIKey struct {
	ID               int64      `json:"-"`
	UUID             string     `json:"id"`
	Kind             string     `json:"kind" enum:"site,integration"`
	Name             string     `json:"name"`
	Scope            string     `json:"scope,omitempty" enum:"read,write" doc:"Of an integration key: read acts as a viewer, write as a member"`
	Prefix           string     `json:"prefix" doc:"The key's first characters, to tell keys apart"`
	OrganizationID   int64      `json:"-"`
	OrganizationUUID string     `json:"organization_id"`
	SiteID           int64      `json:"-"`
	SiteUUID         *string    `json:"site_id"`
	CreatedAt        time.Time  `json:"created_at"`
	CreatedBy        *string    `json:"created_by"`
	LastUsedAt       *time.Time `json:"last_used_at"`
	RevokedAt        *time.Time `json:"revoked_at"`
	Hash             string     `json:"-"`
	// OrganizationActive is false while the key's organization is
	// inactive: the key is then refused (EORGINACTIVE), not revoked.
	OrganizationActive bool `json:"-"`
}

// APIKeyFilter narrows a list of keys.
type APIKeyFilter struct {
	ListOptions
	OrganizationID int64
	SiteID         int64
	Kind           string
}

// APIKeySortFields are the fields a list of keys sorts by.
var APIKeySortFields = []string{"name", "created_at", "last_used_at"}

// AuthStore persists sessions, refresh tokens, API keys and second factors.
type AuthStore interface {
	// CreateSession stores a session with its first refresh token's hash.
	CreateSession(ctx context.Context, s *Session, refreshHash string) error
	// FindSessionByUUID returns ENOTFOUND for an unknown session.
	FindSessionByUUID(ctx context.Context, uuid string) (*Session, error)
	// FindSessionByID returns ENOTFOUND for an unknown session.
	FindSessionByID(ctx context.Context, id int64) (*Session, error)
	// FindSessionStanding reads a session and its user in one query;
	// ENOTFOUND for an unknown session or a deleted user (or one of a
	// deleted organization).
	FindSessionStanding(ctx context.Context, sessionUUID string) (*SessionStanding, error)
	// FindSessionStandingByID is FindSessionStanding by the session's id.
	FindSessionStandingByID(ctx context.Context, id int64) (*SessionStanding, error)
	// RotateRefreshToken atomically marks the token with oldHash used and adds
	// newHash to its session. It returns the token as it was before: a token
	// already used (UsedAt set) is not rotated, so the caller can revoke the
	// family. ENOTFOUND for an unknown token.
	RotateRefreshToken(ctx context.Context, oldHash, newHash string, now, expiresAt time.Time) (*RefreshToken, error)
	// RevokeSession ends one session; revoking twice is not an error.
	RevokeSession(ctx context.Context, id int64, at time.Time) error
	// RevokeUserSessions ends every session of a user but keep (0: none).
	RevokeUserSessions(ctx context.Context, userID, keep int64, at time.Time) error

	// CreateAPIKey fills ID, UUID and CreatedAt.
	CreateAPIKey(ctx context.Context, k *APIKey, by int64) error
	// FindAPIKeyByHash returns a key that is not revoked and whose site and
	// organization are not deleted; ENOTFOUND otherwise.
	FindAPIKeyByHash(ctx context.Context, hash string) (*APIKey, error)
	// FindAPIKeyByUUID returns ENOTFOUND for an unknown key.
	FindAPIKeyByUUID(ctx context.Context, uuid string) (*APIKey, error)
	// FindAPIKeyByID returns the key, revoked or not; ENOTFOUND when unknown
	// or when its site or organization is deleted.
	FindAPIKeyByID(ctx context.Context, id int64) (*APIKey, error)
	FindAPIKeys(ctx context.Context, f APIKeyFilter) ([]*APIKey, int, error)
	// RevokeAPIKey revokes a key; ENOTFOUND when unknown or already revoked.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
	// TouchAPIKey records the key's use.
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error

	// SetTOTP stores a user's encrypted TOTP secret and whether 2FA is on;
	// an empty secret turns 2FA off and removes the backup codes.
	SetTOTP(ctx context.Context, userID int64, encryptedSecret string, enabled bool) error
	// ClaimTOTPStep records the time step of a TOTP code that was just
	// accepted; false when that step or a later one was already used.
	ClaimTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	// ReplaceBackupCodes replaces a user's backup codes by these hashes.
	ReplaceBackupCodes(ctx context.Context, userID int64, hashes []string) error
	// UseBackupCode marks an unused backup code used; false when none matches.
	UseBackupCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error)

	// UseToken spends a single-use token by its id, atomically: true the
	// first time, false ever after (until expiresAt, when the token is
	// refused anyway and its record is pruned).
	UseToken(ctx context.Context, id string, expiresAt time.Time) (bool, error)

	// SetNotificationPreferences replaces a user's preferences.
	SetNotificationPreferences(ctx context.Context, userID int64, prefs json.RawMessage) error
}
