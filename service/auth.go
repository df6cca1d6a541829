package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/golang-jwt/jwt/v5"
)

// AccessTokenTTL is how long an access token lives.
const AccessTokenTTL = 15 * time.Minute

const jwtIssuer = "fleetwatch"

// Tokens is what a successful login answers.
type Tokens struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// Auth signs users in and turns credentials into actors.
type Auth struct {
	Store     fleetwatch.Store
	Passwords *Passwords
	Activity  *Activity
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	jwtKey []byte
}

// NewAuth returns the auth service. secret is the server's secret key; the
// JWT signing key is derived from it so that the same secret can serve other
// purposes (TOTP encryption) without reuse.
func NewAuth(store fleetwatch.Store, passwords *Passwords, activity *Activity, secret []byte) *Auth {
	return &Auth{Store: store, Passwords: passwords, Activity: activity, jwtKey: deriveKey(secret, "jwt-signing")}
}

func deriveKey(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func (s *Auth) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

var errBadCredentials = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "Invalid email or password.")

// Login checks an e-mail and password and returns an access token. An unknown
// e-mail, a wrong password and an inactive account all answer the same, in
// about the same time.
func (s *Auth) Login(ctx context.Context, email, password, remoteAddr string) (*Tokens, error) {
	var v fleetwatch.Validation
	email = strings.TrimSpace(email)
	if email == "" {
		v.Add("/email", "email must not be blank")
	}
	if password == "" {
		v.Add("/password", "password must not be blank")
	}
	if len(email) > MaxEmailLength || len(password) > 1024 {
		v.Add("/password", "email or password is too long")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByEmail(ctx, email)
	if err != nil && fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
		return nil, err
	}
	hash := ""
	if u != nil {
		hash = u.HashedPassword
	}
	ok, err := s.Passwords.Check(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil || !u.IsActive {
		var uid, oid int64
		if u != nil {
			uid, oid = u.ID, u.OrganizationID
		}
		s.Activity.RecordFor(ctx, uid, oid, remoteAddr, "user.login_failed", map[string]any{"email": truncate(email, 100)})
		return nil, errBadCredentials
	}
	if err := s.Store.SetLastLogin(ctx, u.ID, s.now()); err != nil {
		return nil, err
	}
	s.Activity.RecordFor(ctx, u.ID, u.OrganizationID, remoteAddr, "user.login", nil)
	return s.issue(u)
}

type accessClaims struct {
	jwt.RegisteredClaims
}

func (s *Auth) issue(u *fleetwatch.User) (*Tokens, error) {
	now := s.now()
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return nil, fmt.Errorf("token id: %w", err)
	}
	claims := accessClaims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    jwtIssuer,
		Subject:   u.UUID,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwt.NewNumericDate(now.Add(AccessTokenTTL)),
		ID:        hex.EncodeToString(jti),
	}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(s.jwtKey)
	if err != nil {
		return nil, fmt.Errorf("sign token: %w", err)
	}
	return &Tokens{AccessToken: signed, TokenType: "Bearer", ExpiresIn: int(AccessTokenTTL.Seconds())}, nil
}

var errBadToken = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The access token is invalid or has expired.")

// Authenticate turns a bearer token into the actor it stands for. The user is
// read on every request so that a deactivated or deleted user loses access at
// once, whatever tokens they hold.
func (s *Auth) Authenticate(ctx context.Context, token, remoteAddr string) (*fleetwatch.Actor, error) {
	var claims accessClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return s.jwtKey, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(jwtIssuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(s.now),
	)
	if err != nil {
		return nil, errBadToken
	}
	u, err := s.Store.FindUserByUUID(ctx, claims.Subject)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return nil, errBadToken
	} else if err != nil {
		return nil, err
	}
	if !u.IsActive {
		return nil, errBadToken
	}
	return &fleetwatch.Actor{
		UserID: u.ID, UserUUID: u.UUID, OrganizationID: u.OrganizationID, Role: u.Role,
		TokenID: claims.ID, RemoteAddr: remoteAddr,
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

// IsAuthError reports whether err means the credentials were refused.
func IsAuthError(err error) bool {
	var e *fleetwatch.Error
	return errors.As(err, &e) && e.Code == fleetwatch.EUNAUTHORIZED
}
