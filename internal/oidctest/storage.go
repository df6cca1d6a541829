package oidctest

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// storage is the provider's state, in memory: its one client, users,
// authorization requests and codes, and access tokens.
type storage struct {
	cfg Config
	key *rsa.PrivateKey
	kid string

	mu       sync.Mutex
	users    map[string]User // by username
	requests map[string]*authRequest
	codes    map[string]code
	tokens   map[string]string // access token id -> subject
	ended    []string
}

type code struct {
	requestID string
	expires   time.Time
}

var _ op.Storage = (*storage)(nil)

func newStorage(cfg Config, key *rsa.PrivateKey, kid string) *storage {
	s := &storage{cfg: cfg, key: key, kid: kid, users: map[string]User{}, requests: map[string]*authRequest{},
		codes: map[string]code{}, tokens: map[string]string{}}
	for _, u := range cfg.Users {
		s.users[u.Username] = u
	}
	return s
}

func (s *storage) setUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Username] = u
}

func (s *storage) userList() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []User
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b User) int {
		if a.Username < b.Username {
			return -1
		}
		return 1
	})
	return out
}

func (s *storage) userBySubject(sub string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if u.Subject == sub {
			return u, true
		}
	}
	return User{}, false
}

func (s *storage) signIn(requestID, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[requestID]
	if !ok {
		return errors.New("unknown auth request")
	}
	u, ok := s.users[username]
	if !ok {
		return fmt.Errorf("unknown user %q", username)
	}
	req.subject, req.amr, req.authTime, req.done = u.Subject, u.AMR, time.Now(), true
	return nil
}

func (s *storage) expireCodes() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.codes {
		c.expires = time.Now().Add(-time.Second)
		s.codes[k] = c
	}
}

func (s *storage) logouts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ended)
}

// CreateAuthRequest implements op.AuthStorage.
func (s *storage) CreateAuthRequest(_ context.Context, r *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	id, err := randomID()
	if err != nil {
		return nil, err
	}
	req := &authRequest{id: id, r: *r}
	s.mu.Lock()
	s.requests[id] = req
	s.mu.Unlock()
	return req, nil
}

// AuthRequestByID implements op.AuthStorage.
func (s *storage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req, ok := s.requests[id]
	if !ok {
		return nil, errors.New("auth request not found")
	}
	return req, nil
}

// AuthRequestByCode implements op.AuthStorage; an expired code is unknown.
func (s *storage) AuthRequestByCode(ctx context.Context, c string) (op.AuthRequest, error) {
	s.mu.Lock()
	cd, ok := s.codes[c]
	s.mu.Unlock()
	if !ok || time.Now().After(cd.expires) {
		return nil, errors.New("code invalid or expired")
	}
	return s.AuthRequestByID(ctx, cd.requestID)
}

// SaveAuthCode implements op.AuthStorage.
func (s *storage) SaveAuthCode(_ context.Context, id, c string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[c] = code{requestID: id, expires: time.Now().Add(s.cfg.CodeTTL)}
	return nil
}

// DeleteAuthRequest implements op.AuthStorage: a code is exchanged once.
func (s *storage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for k, c := range s.codes {
		if c.requestID == id {
			delete(s.codes, k)
		}
	}
	return nil
}

// CreateAccessToken implements op.AuthStorage.
func (s *storage) CreateAccessToken(_ context.Context, r op.TokenRequest) (string, time.Time, error) {
	id, err := randomID()
	if err != nil {
		return "", time.Time{}, err
	}
	s.mu.Lock()
	s.tokens[id] = r.GetSubject()
	s.mu.Unlock()
	return id, time.Now().Add(5 * time.Minute), nil
}

var errNoRefresh = errors.New("refresh tokens are not issued")

// CreateAccessAndRefreshTokens implements op.AuthStorage; the client may
// not use refresh tokens.
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNoRefresh
}

// TokenRequestByRefreshToken implements op.AuthStorage.
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// TerminateSession implements op.AuthStorage: RP-initiated logout.
func (s *storage) TerminateSession(_ context.Context, userID, _ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ended = append(s.ended, userID)
	return nil
}

// RevokeToken implements op.AuthStorage.
func (s *storage) RevokeToken(_ context.Context, token, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
	return nil
}

// GetRefreshTokenInfo implements op.AuthStorage.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type signingKey struct{ s *storage }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.s.key }
func (k signingKey) ID() string                                  { return k.s.kid }

type publicKey struct{ s *storage }

func (k publicKey) ID() string                         { return k.s.kid }
func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.s.key.PublicKey }

// SigningKey implements op.AuthStorage.
func (s *storage) SigningKey(context.Context) (op.SigningKey, error) { return signingKey{s}, nil }

// SignatureAlgorithms implements op.AuthStorage.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

// KeySet implements op.AuthStorage.
func (s *storage) KeySet(context.Context) ([]op.Key, error) { return []op.Key{publicKey{s}}, nil }

// GetClientByClientID implements op.OPStorage.
func (s *storage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != s.cfg.ClientID {
		return nil, errors.New("client not found")
	}
	return &client{cfg: s.cfg}, nil
}

// AuthorizeClientIDSecret implements op.OPStorage.
func (s *storage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != s.cfg.ClientID || secret != s.cfg.ClientSecret {
		return errors.New("invalid client credentials")
	}
	return nil
}

// SetUserinfoFromScopes implements op.OPStorage; SetUserinfoFromRequest
// does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest puts the user's claims in the ID token.
func (s *storage) SetUserinfoFromRequest(_ context.Context, info *oidc.UserInfo, r op.IDTokenRequest, scopes []string) error {
	return s.setUserinfo(info, r.GetSubject(), scopes)
}

// SetUserinfoFromToken implements op.OPStorage: the userinfo endpoint.
func (s *storage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, _, _ string) error {
	s.mu.Lock()
	sub, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok {
		return errors.New("token is invalid or expired")
	}
	return s.setUserinfo(info, sub, []string{oidc.ScopeOpenID, oidc.ScopeEmail, oidc.ScopeProfile, "groups"})
}

func (s *storage) setUserinfo(info *oidc.UserInfo, sub string, scopes []string) error {
	u, ok := s.userBySubject(sub)
	if !ok {
		return errors.New("user not found")
	}
	info.Subject = u.Subject
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = u.Email, oidc.Bool(u.EmailVerified)
		case oidc.ScopeProfile:
			info.Name = u.Name
		case "groups":
			info.AppendClaims("groups", u.Groups)
		}
	}
	return nil
}

// SetIntrospectionFromToken implements op.OPStorage.
func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("introspection is not supported")
}

// GetPrivateClaimsFromScopes implements op.OPStorage.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetKeyByIDAndClientID implements op.OPStorage.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT profile is not supported")
}

// ValidateJWTProfileScopes implements op.OPStorage.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile is not supported")
}

// Health implements op.Storage.
func (s *storage) Health(context.Context) error { return nil }

// authRequest is one authorization request, done once a user signed in.
type authRequest struct {
	id       string
	r        oidc.AuthRequest
	subject  string
	amr      []string
	authTime time.Time
	done     bool
}

func (a *authRequest) GetID() string                      { return a.id }
func (a *authRequest) GetACR() string                     { return "" }
func (a *authRequest) GetAMR() []string                   { return a.amr }
func (a *authRequest) GetAudience() []string              { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *authRequest) GetClientID() string                { return a.r.ClientID }
func (a *authRequest) GetNonce() string                   { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return a.r.ResponseType }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return a.r.ResponseMode }
func (a *authRequest) GetScopes() []string                { return a.r.Scopes }
func (a *authRequest) GetState() string                   { return a.r.State }
func (a *authRequest) GetSubject() string                 { return a.subject }
func (a *authRequest) Done() bool                         { return a.done }

func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.r.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: a.r.CodeChallengeMethod}
}

// client is the provider's one client: a confidential web application.
type client struct{ cfg Config }

func (c *client) GetID() string                       { return c.cfg.ClientID }
func (c *client) RedirectURIs() []string              { return c.cfg.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return c.cfg.PostLogoutRedirectURIs }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType        { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *client) LoginURL(id string) string           { return "/login?authRequestID=" + id }
func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return 5 * time.Minute }

// DevMode allows http redirect URIs on loopback.
func (c *client) DevMode() bool { return true }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) IsScopeAllowed(scope string) bool     { return scope == "groups" }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
