package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/golang-jwt/jwt/v5"
)

// Token lifetimes.
const (
	AccessTokenTTL  = 15 * time.Minute
	RefreshTokenTTL = 30 * 24 * time.Hour
	MFATokenTTL     = 5 * time.Minute
)

const (
	jwtIssuer          = "fleetwatch"
	audienceAccess     = "access"
	audienceMFA        = "mfa"
	refreshTokenPrefix = "fwr_"
)

// LoginAnswer is the answer of a login: tokens, or for a user with 2FA the
// token to present with the second factor.
type LoginAnswer struct {
	AccessToken  string `json:"access_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type,omitempty"`
	ExpiresIn    int    `json:"expires_in,omitempty" doc:"Seconds until the access token expires"`
	MFARequired  bool   `json:"mfa_required,omitempty"`
	MFAToken     string `json:"mfa_token,omitempty" doc:"Present with a TOTP or backup code to POST /auth/mfa"`
}

// AuthStore is what Auth needs of the database: sign-in, sessions, keys and
// second factors. The fleetwatch store interfaces document each method and its
// errors.
type AuthStore interface {
	ClaimTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	CreateSession(ctx context.Context, s *fleetwatch.Session, refreshHash string) error
	CreateUser(ctx context.Context, u *fleetwatch.User, by int64) error
	FindAPIKeyByHash(ctx context.Context, hash string) (*fleetwatch.APIKey, error)
	FindAPIKeyByID(ctx context.Context, id int64) (*fleetwatch.APIKey, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindSessionByID(ctx context.Context, id int64) (*fleetwatch.Session, error)
	FindSessionStanding(ctx context.Context, sessionUUID string) (*fleetwatch.SessionStanding, error)
	FindSessionStandingByID(ctx context.Context, id int64) (*fleetwatch.SessionStanding, error)
	FindUserByEmail(ctx context.Context, email string) (*fleetwatch.User, error)
	FindUserByID(ctx context.Context, id int64) (*fleetwatch.User, error)
	FindUserByUUID(ctx context.Context, uuid string) (*fleetwatch.User, error)
	FindUsers(ctx context.Context, f fleetwatch.UserFilter) ([]*fleetwatch.User, int, error)
	ReplaceBackupCodes(ctx context.Context, userID int64, hashes []string) error
	RevokeSession(ctx context.Context, id int64, at time.Time) error
	RevokeUserSessions(ctx context.Context, userID, keep int64, at time.Time) error
	RotateRefreshToken(ctx context.Context, oldHash, newHash string, now, expiresAt time.Time) (*fleetwatch.RefreshToken, error)
	SetLastLogin(ctx context.Context, id int64, at time.Time) error
	SetNotificationPreferences(ctx context.Context, userID int64, prefs json.RawMessage) error
	SetTOTP(ctx context.Context, userID int64, encryptedSecret string, enabled bool) error
	TouchAPIKey(ctx context.Context, id int64, at time.Time) error
	UpdateUser(ctx context.Context, id int64, upd fleetwatch.UserUpdate, by int64) (*fleetwatch.User, error)
	UseBackupCode(ctx context.Context, userID int64, hash string, at time.Time) (bool, error)
	UseToken(ctx context.Context, id string, expiresAt time.Time) (bool, error)
}

// Auth signs users in, keeps their sessions, and turns credentials (access
// tokens, API keys) into actors.
type Auth struct {
	Store     AuthStore
	Passwords *Passwords
	Activity  *Activity
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Limits bound the guesses of passwords and second factors.
	Limits *Limits
	// PasswordPolicy refuses passwords of organizations that sign in
	// through an identity provider; nil: passwords are always allowed.
	PasswordPolicy PasswordPolicy

	accessKey []byte
	verified  verifiedTokens
	siteKeys  siteKeyCache
	mfaKey    []byte
	codeKey   []byte
	totp      *sealer
	webhooks  *WebhookSecrets
}

// NewAuth returns the auth service. Every key it uses is derived from the
// server's secret.
func NewAuth(store AuthStore, passwords *Passwords, activity *Activity, secret []byte) (*Auth, error) {
	totp, err := newSealer(deriveKey(secret, "totp-encryption"))
	if err != nil {
		return nil, err
	}
	webhooks, err := newWebhookSecrets(secret)
	if err != nil {
		return nil, err
	}
	return &Auth{
		Store: store, Passwords: passwords, Activity: activity,
		Limits:    NewLimits(),
		accessKey: deriveKey(secret, "jwt-access"),
		mfaKey:    deriveKey(secret, "jwt-mfa"),
		codeKey:   deriveKey(secret, "backup-codes"),
		totp:      totp,
		webhooks:  webhooks,
	}, nil
}

func (s *Auth) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// begin reserves a guess at account from remoteAddr (see Limits), on the
// auth service's clock.
func (s *Auth) begin(account, remoteAddr string) (*attempt, error) {
	return s.Limits.begin(account, remoteAddr, s.now)
}

var (
	errBadCredentials = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "Invalid email or password.")
	errBadToken       = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The access token is invalid, expired or revoked.")
	errBadRefresh     = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The refresh token is invalid, expired or revoked; sign in again.")
	// errPasswordSignInDisabled answers a right password of a user whose
	// organization signs in through an identity provider.
	errPasswordSignInDisabled = fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Your organization signs in through single sign-on; use its button on the sign-in page.")
)

// Login checks an e-mail and password. An unknown e-mail, a wrong password
// and an inactive account answer the same, in about the same time. Failures
// are limited per account and per client address.
func (s *Auth) Login(ctx context.Context, email, password, remoteAddr, userAgent string) (*LoginAnswer, error) {
	var v fleetwatch.Validation
	email = strings.TrimSpace(email)
	if email == "" {
		v.Add("/email", "email must not be blank")
	}
	if password == "" {
		v.Add("/password", "password must not be blank")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	att, err := s.begin("login:"+strings.ToLower(email), remoteAddr)
	if err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByEmail(ctx, email)
	if err != nil && fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
		att.cancel()
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.HashedPassword
	}
	ok, err := s.Passwords.Check(ctx, hash, password)
	ok = ok && maySignIn(u)
	att.end(ok, err)
	if err != nil {
		return nil, err
	}
	if !ok {
		var uid, oid int64
		if u != nil {
			uid, oid = u.ID, u.OrganizationID
		}
		s.Activity.RecordFor(ctx, uid, oid, remoteAddr, "user.login_failed", map[string]any{"email": truncate(email, 100)})
		return nil, errBadCredentials
	}
	if refused, err := passwordRefused(ctx, s.PasswordPolicy, u); err != nil {
		return nil, err
	} else if refused {
		s.Activity.RecordFor(ctx, u.ID, u.OrganizationID, remoteAddr, "user.login_refused", map[string]any{"reason": "password_sign_in_disabled"})
		return nil, errPasswordSignInDisabled
	}
	if u.TOTPEnabled {
		tok, err := s.sign(s.mfaKey, audienceMFA, u.UUID, "", MFATokenTTL)
		if err != nil {
			return nil, err
		}
		return &LoginAnswer{MFARequired: true, MFAToken: tok}, nil
	}
	return s.startSession(ctx, u, remoteAddr, userAgent, "password")
}

// maySignIn reports whether a user whose credentials are right may sign
// in: they are active, and so is their organization unless they are a
// platform admin (who must be able to reactivate it). A user belongs to
// one organization, so there is no other to sign in to. The store reads
// the organization's standing with the user: no query of its own.
func maySignIn(u *fleetwatch.User) bool {
	return u != nil && u.IsActive && (u.OrganizationActive || u.Role == fleetwatch.RoleAdmin)
}

// startSession records a successful sign-in and issues its first tokens.
func (s *Auth) startSession(ctx context.Context, u *fleetwatch.User, remoteAddr, userAgent, method string) (*LoginAnswer, error) {
	now := s.now()
	refresh, err := randomToken(32)
	if err != nil {
		return nil, err
	}
	refresh = refreshTokenPrefix + refresh
	sess := &fleetwatch.Session{UserID: u.ID, RemoteAddr: remoteAddr, UserAgent: truncate(userAgent, 200), CreatedAt: now, ExpiresAt: now.Add(RefreshTokenTTL)}
	if err := s.Store.CreateSession(ctx, sess, HashToken(refresh)); err != nil {
		return nil, err
	}
	if err := s.Store.SetLastLogin(ctx, u.ID, now); err != nil {
		return nil, err
	}
	s.Activity.RecordFor(ctx, u.ID, u.OrganizationID, remoteAddr, "user.login", map[string]any{"method": method})
	return s.tokens(u.UUID, sess.UUID, refresh)
}

func (s *Auth) tokens(userUUID, sessionUUID, refresh string) (*LoginAnswer, error) {
	access, err := s.sign(s.accessKey, audienceAccess, userUUID, sessionUUID, AccessTokenTTL)
	if err != nil {
		return nil, err
	}
	return &LoginAnswer{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds())}, nil
}

type claims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid,omitempty"`
}

func (s *Auth) sign(key []byte, audience, subject, session string, ttl time.Duration) (string, error) {
	now := s.now()
	jti, err := randomToken(16)
	if err != nil {
		return "", err
	}
	c := claims{SessionID: session, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: jwtIssuer, Subject: subject, Audience: jwt.ClaimStrings{audience}, ID: jti,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return signed, nil
}

// verify checks a JWT's signature (HS256 only: "none" and others are
// refused), issuer, audience and expiry.
func (s *Auth) verify(key []byte, audience, token string) (*claims, bool) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(jwtIssuer),
		jwt.WithAudience(audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(s.now),
	)
	return &c, err == nil
}

// verifiedTokens remembers access tokens whose signature, issuer and
// audience were checked: they cannot change, so a client that sends the
// same token with every request pays for the check once. Expiry is checked
// on every use; the session and user are not cached.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]*claims
}

const maxVerifiedTokens = 4096

// verifyAccess is verify of an access token, remembered.
func (s *Auth) verifyAccess(token string) (*claims, bool) {
	s.verified.mu.Lock()
	c, ok := s.verified.m[token]
	s.verified.mu.Unlock()
	if ok {
		now := s.now()
		return c, c.ExpiresAt != nil && now.Before(c.ExpiresAt.Time) && (c.IssuedAt == nil || !now.Before(c.IssuedAt.Time))
	}
	c, ok = s.verify(s.accessKey, audienceAccess, token)
	if !ok {
		return c, false
	}
	s.verified.mu.Lock()
	if s.verified.m == nil {
		s.verified.m = map[string]*claims{}
	}
	for k := range s.verified.m { // full: forget arbitrary ones
		if len(s.verified.m) < maxVerifiedTokens {
			break
		}
		delete(s.verified.m, k)
	}
	s.verified.m[token] = c
	s.verified.mu.Unlock()
	return c, true
}

// Refresh trades a refresh token for new tokens; the old refresh token dies.
// Presenting a refresh token that was already traded revokes its session:
// one of the two holders is a thief, and neither can tell which.
func (s *Auth) Refresh(ctx context.Context, refresh, remoteAddr string) (*LoginAnswer, error) {
	if !strings.HasPrefix(refresh, refreshTokenPrefix) || len(refresh) > 100 {
		return nil, errBadRefresh
	}
	next, err := randomToken(32)
	if err != nil {
		return nil, err
	}
	next = refreshTokenPrefix + next
	now := s.now()
	old, err := s.Store.RotateRefreshToken(ctx, HashToken(refresh), HashToken(next), now, now.Add(RefreshTokenTTL))
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return nil, errBadRefresh
	} else if err != nil {
		return nil, err
	}
	sess, err := s.Store.FindSessionByID(ctx, old.SessionID)
	if err != nil {
		return nil, err
	}
	if old.UsedAt != nil {
		if err := s.Store.RevokeSession(ctx, old.SessionID, now); err != nil {
			return nil, err
		}
		s.Activity.RecordFor(ctx, sess.UserID, 0, remoteAddr, "session.refresh_reuse_revoked", map[string]any{"session": sess.UUID})
		return nil, errBadRefresh
	}
	if sess.RevokedAt != nil || !now.Before(old.ExpiresAt) {
		return nil, errBadRefresh
	}
	u, err := s.Store.FindUserByID(ctx, sess.UserID)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return nil, errBadRefresh
	} else if err != nil {
		return nil, err
	}
	if !maySignIn(u) {
		return nil, errBadRefresh
	}
	return s.tokens(u.UUID, sess.UUID, next)
}

// Logout ends the caller's session: its access and refresh tokens die at once.
func (s *Auth) Logout(ctx context.Context) error {
	a, err := actor(ctx)
	if err != nil {
		return err
	}
	if a.SessionID == 0 {
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "API keys have no session; revoke the key instead.")
	}
	if err := s.Store.RevokeSession(ctx, a.SessionID, s.now()); err != nil {
		return err
	}
	s.Activity.Record(ctx, "user.logout", "user", a.UserUUID, a.OrganizationID, nil)
	return nil
}

// AuthenticatePush is Authenticate for the push routes, whose only writes
// are audit logs: a site key found valid in the last minute is taken from
// memory, since EnqueueAuditLogs stores a push only while its key is still
// valid (see siteKeyCache).
func (s *Auth) AuthenticatePush(ctx context.Context, token, remoteAddr string) (*fleetwatch.Actor, error) {
	if strings.HasPrefix(token, SiteKeyPrefix) {
		return s.authenticateKey(ctx, token, remoteAddr, true)
	}
	return s.Authenticate(ctx, token, remoteAddr)
}

// Authenticate turns a bearer credential into the actor it stands for: an
// access token, a site key (fwk_) or an integration key (fwi_). The session
// and the user are read on every request, so that logout, deactivation and
// deletion take effect at once on every replica.
func (s *Auth) Authenticate(ctx context.Context, token, remoteAddr string) (*fleetwatch.Actor, error) {
	if strings.HasPrefix(token, SiteKeyPrefix) || strings.HasPrefix(token, IntegrationKeyPrefix) {
		return s.authenticateKey(ctx, token, remoteAddr, false)
	}
	c, ok := s.verifyAccess(token)
	if !ok || c.SessionID == "" {
		return nil, errBadToken
	}
	st, err := s.Store.FindSessionStanding(ctx, c.SessionID)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return nil, errBadToken
	} else if err != nil {
		return nil, err
	}
	return actorFromStanding(st, c.Subject, remoteAddr)
}

// actorFromStanding is the actor of an access token whose session and user
// were read: EUNAUTHORIZED when the session was revoked or the user is
// inactive or another.
func actorFromStanding(st *fleetwatch.SessionStanding, subject, remoteAddr string) (*fleetwatch.Actor, error) {
	if st.Revoked || !st.UserActive || st.UserUUID != subject {
		return nil, errBadToken
	}
	if !st.OrganizationActive && st.Role != fleetwatch.RoleAdmin {
		return nil, fleetwatch.ErrOrganizationInactive
	}
	return &fleetwatch.Actor{
		UserID: st.UserID, UserUUID: st.UserUUID, OrganizationID: st.OrganizationID, Role: st.Role,
		SessionID: st.SessionID, RemoteAddr: remoteAddr,
	}, nil
}

// Me returns the signed-in user.
func (s *Auth) Me(ctx context.Context) (*fleetwatch.User, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if a.UserID == 0 {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "API keys have no user.")
	}
	return s.Store.FindUserByID(ctx, a.UserID)
}

// ChangePassword replaces the caller's password after checking the current
// one, and ends every other session of theirs.
func (s *Auth) ChangePassword(ctx context.Context, current, next string) error {
	u, err := s.Me(ctx)
	if err != nil {
		return err
	}
	a := fleetwatch.ActorFromContext(ctx)
	var v fleetwatch.Validation
	checkPassword(&v, "/new_password", next)
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.verifyPassword(ctx, u, "/current_password", current); err != nil {
		return err
	}
	hash, err := s.Passwords.Hash(ctx, next)
	if err != nil {
		return err
	}
	if _, err := s.Store.UpdateUser(ctx, u.ID, fleetwatch.UserUpdate{HashedPassword: &hash}, u.ID); err != nil {
		return err
	}
	if err := s.Store.RevokeUserSessions(ctx, u.ID, a.SessionID, s.now()); err != nil {
		return err
	}
	s.Activity.Record(ctx, "user.password_changed", "user", u.UUID, u.OrganizationID, nil)
	return nil
}

// verifyPassword checks the password a signed-in user typed to confirm a
// change, within the limits of guesses (see Limits); EINVALID on field
// pointer when it is wrong.
func (s *Auth) verifyPassword(ctx context.Context, u *fleetwatch.User, pointer, password string) error {
	a := fleetwatch.ActorFromContext(ctx)
	att, err := s.begin("password:"+u.UUID, a.RemoteAddr)
	if err != nil {
		return err
	}
	ok, err := s.Passwords.Check(ctx, u.HashedPassword, password)
	att.end(ok, err)
	if err != nil {
		return err
	}
	if !ok {
		s.Activity.Record(ctx, "user.password_check_failed", "user", u.UUID, u.OrganizationID, nil)
		msg := strings.TrimPrefix(pointer, "/") + " is wrong"
		return &fleetwatch.Error{Code: fleetwatch.EINVALID, Message: msg, Fields: []fleetwatch.FieldError{{Pointer: pointer, Message: msg}}}
	}
	return nil
}

// CreateUserFromShell creates a user without an actor, for `fleetwatch users
// create`: the first admin of a new installation.
func (s *Auth) CreateUserFromShell(ctx context.Context, name, email, password, role, orgUUID string) (*fleetwatch.User, error) {
	var v fleetwatch.Validation
	u := &fleetwatch.User{IsActive: true, Role: role}
	if name == "" {
		name = strings.Split(email, "@")[0]
	}
	u.Name = checkText(&v, "/name", "name", name, true, MaxNameLength)
	u.Email = checkEmail(&v, "/email", email)
	checkPassword(&v, "/password", password)
	checkRole(&v, "/role", role)
	if orgUUID != "" {
		o, err := s.Store.FindOrganizationByUUID(ctx, orgUUID)
		if err != nil {
			return nil, err
		}
		u.OrganizationID = o.ID
	} else if role != fleetwatch.RoleAdmin && fleetwatch.RoleRank(role) > 0 {
		v.Add("/organization_id", "a %s must belong to an organization (--organization)", role)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var err error
	if u.HashedPassword, err = s.Passwords.Hash(ctx, password); err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u, 0); err != nil {
		return nil, err
	}
	return u, nil
}

// StillValid reports whether the credential an actor authenticated with
// still holds: its session not revoked (logout, password change, refresh
// reuse, deactivation) and its user and organization active, or its API
// key not revoked and its organization active. Long-lived
// requests (event streams) call it now and then, so that a revocation ends
// them too.
func (s *Auth) StillValid(ctx context.Context, a *fleetwatch.Actor) (bool, error) {
	switch {
	case a == nil:
		return false, nil
	case a.SessionID != 0:
		st, err := s.Store.FindSessionStandingByID(ctx, a.SessionID)
		if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
			return false, nil
		} else if err != nil {
			return false, err
		}
		// The same checks as a request's (revoked, user or organization
		// inactive, another user), and the role and organization the
		// stream was opened with.
		now, err := actorFromStanding(st, a.UserUUID, a.RemoteAddr)
		if err != nil {
			return false, nil
		}
		return now.Role == a.Role && now.OrganizationID == a.OrganizationID, nil
	case a.APIKeyID != 0:
		k, err := s.Store.FindAPIKeyByID(ctx, a.APIKeyID)
		if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
			return false, nil
		} else if err != nil {
			return false, err
		}
		return k.RevokedAt == nil && k.OrganizationActive, nil
	}
	return false, nil
}
