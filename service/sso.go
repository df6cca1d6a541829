package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/fleetwatch/fleetwatch"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// SSO timings.
const (
	// SSOFlowTTL bounds a sign-in at the identity provider, from the
	// redirect to the callback.
	SSOFlowTTL = 10 * time.Minute
	// SSOHandoffTTL bounds the handoff from the callback to the dashboard.
	SSOHandoffTTL = 2 * time.Minute
	// DefaultSSOClockSkew is how far the provider's clock may run ahead
	// of ours: an ID token this far past its expiry is still accepted.
	DefaultSSOClockSkew = 2 * time.Minute
	audienceSSO         = "sso"
)

// SSOStore is what single sign-on needs from the database.
type SSOStore interface {
	fleetwatch.IdentityStore
	FindUserByID(ctx context.Context, id int64) (*fleetwatch.User, error)
	FindUserByEmail(ctx context.Context, email string) (*fleetwatch.User, error)
	CreateUser(ctx context.Context, u *fleetwatch.User, by int64) error
	UpdateUser(ctx context.Context, id int64, upd fleetwatch.UserUpdate, by int64) (*fleetwatch.User, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindSessionByUUID(ctx context.Context, uuid string) (*fleetwatch.Session, error)
}

// SSO signs users in through OpenID Connect providers: discovery, the
// authorization code flow with PKCE, state and nonce, ID token
// verification against the provider's keys, and the mapping of the
// provider's groups to an organization and a role. A user signed in this
// way gets the same tokens as with a password.
type SSO struct {
	Store         SSOStore
	Auth          *Auth
	Activity      *Activity
	Organizations *Organizations
	// PublicURL is where browsers reach Fleetwatch; the callback and the
	// dashboard's addresses are built from it.
	PublicURL string
	// HTTPClient talks to the providers; one with a 10-second timeout when nil.
	HTTPClient *http.Client
	// ClockSkew is DefaultSSOClockSkew when zero.
	ClockSkew time.Duration

	secrets *sealer // client secrets and ID tokens at rest
	flows   *sealer // the sign-in cookie
	key     []byte  // signs handoff tokens

	mu     sync.Mutex
	oidcOf map[string]*discovered // by provider uuid
}

type discovered struct {
	updated  time.Time
	provider *oidc.Provider
	logout   string // end_session_endpoint, when offered
}

// NewSSO returns the single sign-on service; its keys are derived from the
// server's secret, like the auth service's.
func NewSSO(store SSOStore, auth *Auth, activity *Activity, orgs *Organizations, publicURL string, secret []byte) (*SSO, error) {
	secrets, err := newSealer(deriveKey(secret, "sso-secret-encryption"))
	if err != nil {
		return nil, err
	}
	flows, err := newSealer(deriveKey(secret, "sso-flow-encryption"))
	if err != nil {
		return nil, err
	}
	return &SSO{Store: store, Auth: auth, Activity: activity, Organizations: orgs, PublicURL: strings.TrimRight(publicURL, "/"),
		secrets: secrets, flows: flows, key: deriveKey(secret, "jwt-sso"), oidcOf: map[string]*discovered{}}, nil
}

// CallbackPath is where providers send the browser back; register
// PublicURL+CallbackPath as the redirect URI at the provider.
const CallbackPath = "/api/v1/auth/sso/callback"

// CallbackURL is the redirect URI to register at every provider.
func (s *SSO) CallbackURL() string { return s.PublicURL + CallbackPath }

// SignInOption is a provider shown on the sign-in page.
type SignInOption struct {
	Slug      string `json:"slug"`
	Name      string `json:"name"`
	SignInURL string `json:"sign_in_url" doc:"Send the browser here to sign in"`
}

// SignInOptions lists the enabled providers; anyone may read it.
func (s *SSO) SignInOptions(ctx context.Context) ([]SignInOption, error) {
	ps, err := s.Store.FindIdentityProviders(ctx)
	if err != nil {
		return nil, err
	}
	out := []SignInOption{}
	for _, p := range ps {
		if p.Enabled {
			out = append(out, SignInOption{Slug: p.Slug, Name: p.Name, SignInURL: s.PublicURL + "/api/v1/auth/sso/" + p.Slug + "/start"})
		}
	}
	return out, nil
}

func (s *SSO) httpClient() *http.Client {
	if s.HTTPClient != nil {
		return s.HTTPClient
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (s *SSO) skew() time.Duration {
	if s.ClockSkew > 0 {
		return s.ClockSkew
	}
	return DefaultSSOClockSkew
}

// discover returns the provider's discovery, fetched once per version of
// its settings.
func (s *SSO) discover(ctx context.Context, p *fleetwatch.IdentityProvider) (*discovered, error) {
	s.mu.Lock()
	d := s.oidcOf[p.UUID]
	s.mu.Unlock()
	if d != nil && d.updated.Equal(p.UpdatedAt) {
		return d, nil
	}
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, s.httpClient()), p.IssuerURL)
	if err != nil {
		return nil, err
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = op.Claims(&extra) // optional; absent means no RP-initiated logout
	d = &discovered{updated: p.UpdatedAt, provider: op, logout: extra.EndSession}
	s.mu.Lock()
	s.oidcOf[p.UUID] = d
	s.mu.Unlock()
	return d, nil
}

// forget drops a provider's discovery, after its settings changed.
func (s *SSO) forget(uuid string) {
	s.mu.Lock()
	delete(s.oidcOf, uuid)
	s.mu.Unlock()
}

func (s *SSO) oauth2Config(p *fleetwatch.IdentityProvider, d *discovered) (*oauth2.Config, error) {
	secret := ""
	if p.ClientSecret != "" {
		var err error
		if secret, err = s.secrets.open(p.ClientSecret); err != nil {
			// Sealed with another secret key: the admin enters it again.
			return nil, fleetwatch.Errorf(fleetwatch.EUNAVAILABLE, "Single sign-on through %s is not set up right (its client secret cannot be read since the server's secret key changed); ask your administrator to enter it again.", p.Name)
		}
	}
	return &oauth2.Config{ClientID: p.ClientID, ClientSecret: secret, Endpoint: d.provider.Endpoint(),
		RedirectURL: s.CallbackURL(), Scopes: append([]string{oidc.ScopeOpenID}, p.Scopes...)}, nil
}

// flow is what the sign-in cookie keeps between the redirect to the
// provider and the callback, encrypted and authenticated.
type flow struct {
	Provider string    `json:"p"`
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Expires  time.Time `json:"e"`
}

// SSOStart is where to send the browser and the cookie to set.
type SSOStart struct {
	RedirectURL string
	Cookie      string
}

// Start begins a sign-in at the provider named by slug.
func (s *SSO) Start(ctx context.Context, slug, remoteAddr string) (*SSOStart, error) {
	var p *fleetwatch.IdentityProvider
	var err error = errIdentityProviderUnknown
	if slugPattern.MatchString(slug) {
		p, err = s.Store.FindIdentityProviderBySlug(ctx, slug)
	}
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && !p.Enabled) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "There is no enabled identity provider %q; sign in another way or ask your administrator.", slug)
	} else if err != nil {
		return nil, err
	}
	d, err := s.discover(ctx, p)
	if err != nil {
		s.Activity.RecordFor(ctx, 0, 0, remoteAddr, "sso.login_failed", map[string]any{"provider": p.Slug, "reason": "discovery", "error": truncate(err.Error(), 300)})
		return nil, fleetwatch.Errorf(fleetwatch.EUNAVAILABLE, "The identity provider %s cannot be reached; try again later.", p.Name)
	}
	cfg, err := s.oauth2Config(p, d)
	if err != nil {
		s.Activity.RecordFor(ctx, 0, 0, remoteAddr, "sso.login_failed", map[string]any{"provider": p.Slug, "reason": "client_secret"})
		return nil, err
	}
	f := flow{Provider: p.UUID, Verifier: oauth2.GenerateVerifier(), Expires: s.Auth.now().Add(SSOFlowTTL)}
	if f.State, err = randomToken(24); err != nil {
		return nil, err
	}
	if f.Nonce, err = randomToken(24); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(f)
	cookie, err := s.flows.seal(string(b))
	if err != nil {
		return nil, err
	}
	return &SSOStart{Cookie: cookie,
		RedirectURL: cfg.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier))}, nil
}

var errIdentityProviderUnknown = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Identity provider not found.")

// CallbackInput is what the provider sends back, with the sign-in cookie.
type CallbackInput struct {
	Cookie, State, Code, Error, ErrorDescription string
	RemoteAddr, UserAgent                        string
}

// Callback finishes a sign-in at the provider: it checks the state,
// exchanges the code (with the PKCE verifier), verifies the ID token and
// its nonce, finds or provisions the user, and returns where to send the
// browser: the dashboard, with a single-use handoff token in the URL's
// fragment. Every failure is an error whose message can be shown as it is.
func (s *SSO) Callback(ctx context.Context, in CallbackInput) (string, error) {
	f, err := s.openFlow(in.Cookie)
	if err != nil || f.State != in.State {
		s.Activity.RecordFor(ctx, 0, 0, in.RemoteAddr, "sso.login_failed", map[string]any{"reason": "state"})
		return "", fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "This sign-in expired or was started in another browser window; start again from the sign-in page.")
	}
	p, err := s.Store.FindIdentityProviderByUUID(ctx, f.Provider)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && !p.Enabled) {
		return "", fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "This identity provider was disabled; sign in another way or ask your administrator.")
	} else if err != nil {
		return "", err
	}
	fail := func(code, reason, msg string, details map[string]any) error {
		if details == nil {
			details = map[string]any{}
		}
		details["provider"], details["reason"] = p.Slug, reason
		s.Activity.RecordFor(ctx, 0, 0, in.RemoteAddr, "sso.login_failed", details)
		return fleetwatch.Errorf(code, "%s", msg)
	}
	if in.Error != "" {
		if in.Error == "access_denied" {
			return "", fail(fleetwatch.EFORBIDDEN, "access_denied", "You declined to sign in to Fleetwatch at "+p.Name+" (access denied). Nothing was changed; start again if that was a mistake.", nil)
		}
		return "", fail(fleetwatch.EUNAUTHORIZED, "provider_error", fmt.Sprintf("%s refused the sign-in: %s %s", p.Name, truncate(in.Error, 100), truncate(in.ErrorDescription, 300)), nil)
	}
	d, err := s.discover(ctx, p)
	if err != nil {
		return "", fail(fleetwatch.EUNAVAILABLE, "discovery", "The identity provider "+p.Name+" cannot be reached; try again later.", nil)
	}
	cfg, err := s.oauth2Config(p, d)
	if err != nil {
		return "", err
	}
	octx := oidc.ClientContext(ctx, s.httpClient())
	tok, err := cfg.Exchange(octx, in.Code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode == "invalid_grant" {
			return "", fail(fleetwatch.EUNAUTHORIZED, "code_expired", "The sign-in code expired or was already used; start again from the sign-in page.", nil)
		}
		return "", fail(fleetwatch.EUNAUTHORIZED, "code_exchange", p.Name+" refused to exchange the sign-in code; start again, or ask your administrator to check the client id and secret.", map[string]any{"error": truncate(err.Error(), 300)})
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return "", fail(fleetwatch.EUNAUTHORIZED, "no_id_token", p.Name+" sent no ID token.", nil)
	}
	now := s.Auth.now
	verifier := d.provider.Verifier(&oidc.Config{ClientID: p.ClientID, Now: func() time.Time { return now().Add(-s.skew()) }})
	idt, err := verifier.Verify(octx, raw)
	if err != nil {
		reason, msg := describeVerifyError(err)
		return "", fail(fleetwatch.EUNAUTHORIZED, reason, "The ID token from "+p.Name+" was refused: "+msg+". Nothing was changed.", map[string]any{"error": truncate(err.Error(), 300)})
	}
	if idt.Nonce != f.Nonce {
		return "", fail(fleetwatch.EUNAUTHORIZED, "nonce", "The ID token from "+p.Name+" was refused: it answers another sign-in (its nonce does not match). Start again.", nil)
	}
	c, err := readClaims(idt, p.GroupsClaim)
	if err != nil {
		return "", fail(fleetwatch.EUNAUTHORIZED, "claims", "The ID token from "+p.Name+" was refused: "+err.Error()+".", nil)
	}
	u, err := s.resolve(ctx, p, c, in.RemoteAddr)
	if err != nil {
		return "", err
	}
	sealedToken, err := s.secrets.seal(raw)
	if err != nil {
		return "", err
	}
	mfa := len(p.MFAValues) > 0 && slices.ContainsFunc(c.AMR, func(v string) bool { return slices.Contains(p.MFAValues, v) })
	handoff, err := s.signHandoff(u.UUID, p.UUID, sealedToken, mfa)
	if err != nil {
		return "", err
	}
	return s.PublicURL + "/sign-in/sso#token=" + url.QueryEscape(handoff), nil
}

func (s *SSO) openFlow(cookie string) (*flow, error) {
	if cookie == "" {
		return nil, errors.New("no cookie")
	}
	plain, err := s.flows.open(cookie)
	if err != nil {
		return nil, err
	}
	var f flow
	if err := json.Unmarshal([]byte(plain), &f); err != nil {
		return nil, err
	}
	if !s.Auth.now().Before(f.Expires) {
		return nil, errors.New("flow expired")
	}
	return &f, nil
}

// describeVerifyError names what was wrong with an ID token, for the
// activity log and the person signing in.
func describeVerifyError(err error) (reason, msg string) {
	var expired *oidc.TokenExpiredError
	text := err.Error()
	switch {
	case errors.As(err, &expired):
		return "token_expired", "it has expired (check the clocks of both servers)"
	case strings.Contains(text, "expected audience"):
		return "audience", "it was issued for another client (wrong audience)"
	case strings.Contains(text, "id token issued by a different provider"):
		return "issuer", "it was issued by another provider (wrong issuer)"
	case strings.Contains(text, "signature"):
		return "signature", "its signature does not verify (it was altered or signed with an unknown key)"
	}
	return "invalid_token", "it is malformed"
}

// idClaims is what Fleetwatch reads of an ID token.
type idClaims struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Groups        []string
	AMR           []string
}

func readClaims(idt *oidc.IDToken, groupsClaim string) (*idClaims, error) {
	var all map[string]json.RawMessage
	if err := idt.Claims(&all); err != nil {
		return nil, errors.New("its claims cannot be read")
	}
	c := &idClaims{Subject: idt.Subject}
	_ = json.Unmarshal(all["email"], &c.Email)
	_ = json.Unmarshal(all["name"], &c.Name)
	_ = json.Unmarshal(all["amr"], &c.AMR)
	// email_verified is a boolean, or a string at some providers.
	var verified any
	_ = json.Unmarshal(all["email_verified"], &verified)
	c.EmailVerified = verified == true || verified == "true"
	// The groups claim is a list of strings, or one string.
	if raw, ok := all[groupsClaim]; ok {
		if err := json.Unmarshal(raw, &c.Groups); err != nil {
			var one string
			if json.Unmarshal(raw, &one) == nil {
				c.Groups = []string{one}
			}
		}
	}
	if c.Subject == "" {
		return nil, errors.New("it has no subject")
	}
	return c, nil
}

// resolve finds the user of an identity, or links or provisions one, and
// makes their organization and role follow the groups.
func (s *SSO) resolve(ctx context.Context, p *fleetwatch.IdentityProvider, c *idClaims, remoteAddr string) (*fleetwatch.User, error) {
	m, mapped := p.Match(c.Groups)
	fail := func(userID, orgID int64, code, reason, msg string) error {
		s.Activity.RecordFor(ctx, userID, orgID, remoteAddr, "sso.login_failed",
			map[string]any{"provider": p.Slug, "reason": reason, "email": truncate(c.Email, 100), "groups": truncateList(c.Groups)})
		return fleetwatch.Errorf(code, "%s", msg)
	}
	noMapping := "None of your groups at " + p.Name + " gives access to Fleetwatch. Ask your administrator to map one of your groups to an organization."
	var u *fleetwatch.User
	link, err := s.Store.FindUserIdentity(ctx, p.ID, c.Subject)
	switch {
	case err == nil:
		if u, err = s.Store.FindUserByID(ctx, link.UserID); fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
			return nil, fail(0, 0, fleetwatch.EFORBIDDEN, "user_deleted", "Your Fleetwatch account was deleted; ask your administrator.")
		} else if err != nil {
			return nil, err
		}
	case fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND:
		return nil, err
	default:
		if u, err = s.firstSignIn(ctx, p, c, m, mapped, remoteAddr, fail, noMapping); err != nil {
			return nil, err
		}
	}
	if !mapped {
		return nil, fail(u.ID, u.OrganizationID, fleetwatch.EFORBIDDEN, "no_mapping", noMapping)
	}
	if u.Role != m.Role || u.OrganizationID != m.OrganizationID {
		from := map[string]any{"role": u.Role, "organization_id": u.OrganizationUUID}
		updated, err := s.Store.UpdateUser(ctx, u.ID, fleetwatch.UserUpdate{Role: &m.Role, OrganizationID: &m.OrganizationID}, 0)
		if err != nil {
			return nil, err
		}
		s.Activity.RecordFor(ctx, u.ID, m.OrganizationID, remoteAddr, "user.role_changed_by_groups",
			map[string]any{"provider": p.Slug, "from": from, "to": map[string]any{"role": m.Role, "organization_id": m.OrganizationUUID}, "group": m.Group})
		u = updated
	}
	if !maySignIn(u) {
		return nil, fail(u.ID, u.OrganizationID, fleetwatch.EFORBIDDEN, "inactive", "Your Fleetwatch account or its organization is deactivated; ask your administrator.")
	}
	return u, nil
}

// firstSignIn links an identity seen for the first time to the user with
// its e-mail (when the provider verified it and the admin allowed
// linking), or provisions a user (when allowed and mapped).
func (s *SSO) firstSignIn(ctx context.Context, p *fleetwatch.IdentityProvider, c *idClaims, m fleetwatch.GroupMapping, mapped bool, remoteAddr string,
	fail func(userID, orgID int64, code, reason, msg string) error, noMapping string) (*fleetwatch.User, error) {
	var u *fleetwatch.User
	var err error
	if c.Email != "" {
		u, err = s.Store.FindUserByEmail(ctx, c.Email)
		if err != nil && fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
			return nil, err
		}
	}
	switch {
	case u != nil && !(p.AllowEmailLinking && c.EmailVerified):
		why := "the administrator has not allowed linking accounts by e-mail"
		if p.AllowEmailLinking {
			why = p.Name + " does not say your e-mail address is verified"
		}
		return nil, fail(u.ID, u.OrganizationID, fleetwatch.EFORBIDDEN, "link_refused",
			"A Fleetwatch account with your e-mail address exists, but it cannot be linked to your "+p.Name+" identity: "+why+". Sign in with your password, or ask your administrator.")
	case u != nil:
		if err := s.Store.LinkUserIdentity(ctx, &fleetwatch.UserIdentity{ProviderID: p.ID, Subject: c.Subject, UserID: u.ID, Email: c.Email}); err != nil {
			return nil, err
		}
		s.Activity.RecordFor(ctx, u.ID, u.OrganizationID, remoteAddr, "sso.user_linked", map[string]any{"provider": p.Slug, "email": c.Email})
		return u, nil
	case !mapped:
		return nil, fail(0, 0, fleetwatch.EFORBIDDEN, "no_mapping", noMapping)
	case !p.AutoProvision:
		return nil, fail(0, 0, fleetwatch.EFORBIDDEN, "unknown_user",
			"You have no Fleetwatch account, and accounts are not created automatically at "+p.Name+" sign-in. Ask your administrator to create one.")
	}
	var v fleetwatch.Validation
	email := checkEmail(&v, "/email", c.Email)
	name := c.Name
	if strings.TrimSpace(name) == "" {
		name, _, _ = strings.Cut(email, "@")
	}
	name = checkText(&v, "/name", "name", name, true, MaxNameLength)
	if v.Err() != nil {
		return nil, fail(0, 0, fleetwatch.EFORBIDDEN, "no_email", p.Name+" did not send a usable e-mail address, which a new Fleetwatch account needs. Ask your administrator to release the email scope.")
	}
	u = &fleetwatch.User{Name: name, Email: email, Role: m.Role, OrganizationID: m.OrganizationID, IsActive: true}
	if err := s.Store.CreateUser(ctx, u, 0); err != nil {
		return nil, err
	}
	if err := s.Store.LinkUserIdentity(ctx, &fleetwatch.UserIdentity{ProviderID: p.ID, Subject: c.Subject, UserID: u.ID, Email: email}); err != nil {
		return nil, err
	}
	s.Activity.RecordFor(ctx, u.ID, u.OrganizationID, remoteAddr, "sso.user_provisioned", map[string]any{"provider": p.Slug, "role": m.Role, "group": m.Group})
	// Read back as sign-in reads users, with the organization's standing.
	return s.Store.FindUserByID(ctx, u.ID)
}

func truncateList(l []string) []string {
	if len(l) > 20 {
		l = l[:20]
	}
	return l
}

// handoffClaims carry a finished sign-in from the callback to the
// dashboard, which trades them for tokens once.
type handoffClaims struct {
	jwt.RegisteredClaims
	Provider string `json:"idp"`
	IDToken  string `json:"idt"` // encrypted
	MFA      bool   `json:"mfa,omitempty"`
}

func (s *SSO) signHandoff(userUUID, providerUUID, sealedIDToken string, mfa bool) (string, error) {
	now := s.Auth.now()
	jti, err := randomToken(16)
	if err != nil {
		return "", err
	}
	c := handoffClaims{Provider: providerUUID, IDToken: sealedIDToken, MFA: mfa, RegisteredClaims: jwt.RegisteredClaims{
		Issuer: jwtIssuer, Subject: userUUID, Audience: jwt.ClaimStrings{audienceSSO}, ID: jti,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(SSOHandoffTTL)),
	}}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
	if err != nil {
		return "", fmt.Errorf("sign handoff token: %w", err)
	}
	return signed, nil
}

var errBadHandoff = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The single sign-on token is invalid, expired or already used; sign in again.")

// Complete trades a handoff token for the same answer as a password
// sign-in: tokens, or for a user with 2FA whose provider did not assert
// multi-factor authentication, the token to present with a code.
func (s *SSO) Complete(ctx context.Context, token, remoteAddr, userAgent string) (*LoginAnswer, error) {
	var c handoffClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer(jwtIssuer), jwt.WithAudience(audienceSSO),
		jwt.WithExpirationRequired(), jwt.WithTimeFunc(s.Auth.now))
	if err != nil || c.ID == "" {
		return nil, errBadHandoff
	}
	if used, err := s.Auth.Store.UseToken(ctx, c.ID, c.ExpiresAt.Time); err != nil {
		return nil, err
	} else if !used {
		return nil, errBadHandoff
	}
	u, err := s.Auth.Store.FindUserByUUID(ctx, c.Subject)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && !maySignIn(u)) {
		return nil, errBadHandoff
	} else if err != nil {
		return nil, err
	}
	p, err := s.Store.FindIdentityProviderByUUID(ctx, c.Provider)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && !p.Enabled) {
		return nil, errBadHandoff
	} else if err != nil {
		return nil, err
	}
	if u.TOTPEnabled && !c.MFA {
		tok, err := s.Auth.sign(s.Auth.mfaKey, audienceMFA, u.UUID, "", MFATokenTTL)
		if err != nil {
			return nil, err
		}
		return &LoginAnswer{MFARequired: true, MFAToken: tok}, nil
	}
	ans, err := s.Auth.startSession(ctx, u, remoteAddr, userAgent, "sso:"+p.Slug)
	if err != nil {
		return nil, err
	}
	// Remember the provider and ID token of the session, for sign-out.
	ac, ok := s.Auth.verify(s.Auth.accessKey, audienceAccess, ans.AccessToken)
	if !ok {
		return nil, errors.New("verify own access token")
	}
	sess, err := s.Store.FindSessionByUUID(ctx, ac.SessionID)
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateSSOSession(ctx, &fleetwatch.SSOSession{SessionID: sess.ID, ProviderID: p.ID, IDToken: c.IDToken}); err != nil {
		return nil, err
	}
	return ans, nil
}

// SignOut is what the browser does after signing out.
type SignOut struct {
	RedirectURL string `json:"redirect_url,omitempty" doc:"The provider's sign-out page, when the session was opened through one that offers RP-initiated logout; the dashboard's sign-in page otherwise"`
}

// Logout ends the caller's session like Auth.Logout and, for a session
// opened through a provider that offers RP-initiated logout, answers the
// provider's sign-out address.
func (s *SSO) Logout(ctx context.Context) (*SignOut, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	ss, ssErr := s.Store.FindSSOSession(ctx, a.SessionID)
	if err := s.Auth.Logout(ctx); err != nil {
		return nil, err
	}
	out := &SignOut{RedirectURL: s.PublicURL + "/sign-in"}
	if ssErr != nil {
		if fleetwatch.ErrorCode(ssErr) != fleetwatch.ENOTFOUND {
			return nil, ssErr
		}
		return out, nil
	}
	p, err := s.Store.FindIdentityProviderByID(ctx, ss.ProviderID)
	if err != nil {
		return out, nil //nolint:nilerr // the session ended; the provider is gone
	}
	d, err := s.discover(ctx, p)
	if err != nil || d.logout == "" {
		return out, nil //nolint:nilerr // the session ended; no provider sign-out to offer
	}
	q := url.Values{"client_id": {p.ClientID}, "post_logout_redirect_uri": {s.PublicURL + "/sign-in"}}
	if idt, err := s.secrets.open(ss.IDToken); err == nil {
		q.Set("id_token_hint", idt)
	}
	sep := "?"
	if strings.Contains(d.logout, "?") {
		sep = "&"
	}
	out.RedirectURL = d.logout + sep + q.Encode()
	return out, nil
}
