package fleetwatch

import (
	"context"
	"time"
)

// IdentityProvider is an OpenID Connect provider that users sign in
// through (single sign-on), configured by the platform admin.
type IdentityProvider struct {
	ID   int64  `json:"-"`
	UUID string `json:"id"`
	// Slug names the provider in its sign-in address and in the
	// configuration file; unique.
	Slug      string `json:"slug" doc:"Short name used in the sign-in address; unique"`
	Name      string `json:"name" doc:"Shown on the sign-in button"`
	IssuerURL string `json:"issuer_url" doc:"The provider's issuer; its discovery document is at issuer_url/.well-known/openid-configuration"`
	ClientID  string `json:"client_id"`
	// ClientSecret is the client secret, encrypted with the server's
	// secret key; it never leaves the server.
	ClientSecret    string   `json:"-"`
	ClientSecretSet bool     `json:"client_secret_set" doc:"Whether a client secret is stored (it is never shown)"`
	Scopes          []string `json:"scopes" doc:"Scopes asked for besides openid"`
	GroupsClaim     string   `json:"groups_claim" doc:"The ID token claim that lists the user's groups"`
	Enabled         bool     `json:"enabled"`
	// AllowEmailLinking lets a first sign-in take over the existing user
	// with the same e-mail, when the provider says the e-mail is verified.
	AllowEmailLinking bool `json:"allow_email_linking" doc:"Link a first sign-in to the existing user with the same verified e-mail"`
	AutoProvision     bool `json:"auto_provision" doc:"Create a user at the first sign-in of someone unknown whose groups map to an organization"`
	// MFAValues are the amr values that count as multi-factor
	// authentication: a user with 2FA is not asked for a code when the ID
	// token's amr has one of them. Empty: always asked.
	MFAValues     []string       `json:"mfa_amr_values" doc:"amr values that stand for multi-factor authentication at the provider; 2FA is then not asked again"`
	GroupMappings []GroupMapping `json:"group_mappings" doc:"Group to organization and role, first match wins"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// GroupMapping maps a group of the identity provider to an organization
// and a role in it (a platform admin has no organization).
type GroupMapping struct {
	Group            string  `json:"group" maxLength:"200"`
	OrganizationID   int64   `json:"-"`
	OrganizationUUID *string `json:"organization_id" doc:"Empty for the admin role"`
	Role             string  `json:"role" enum:"admin,org_admin,member,viewer"`
}

// Match returns the first mapping of one of groups; false when none.
func (p *IdentityProvider) Match(groups []string) (GroupMapping, bool) {
	for _, m := range p.GroupMappings {
		for _, g := range groups {
			if g == m.Group {
				return m, true
			}
		}
	}
	return GroupMapping{}, false
}

// UserIdentity links a user to their subject at an identity provider.
type UserIdentity struct {
	ProviderID int64
	Subject    string
	UserID     int64
	Email      string
	CreatedAt  time.Time
}

// SSOSession is what a session opened through an identity provider keeps
// for RP-initiated logout.
type SSOSession struct {
	SessionID  int64
	ProviderID int64
	IDToken    string // encrypted
}

// IdentityStore persists identity providers, their users' identities,
// sessions opened through them, and each organization's sign-in policy.
type IdentityStore interface {
	// CreateIdentityProvider fills ID, UUID and timestamps; ECONFLICT when
	// the slug is taken.
	CreateIdentityProvider(ctx context.Context, p *IdentityProvider) error
	// FindIdentityProviders returns every provider with its mappings.
	FindIdentityProviders(ctx context.Context) ([]*IdentityProvider, error)
	// FindIdentityProviderByUUID and FindIdentityProviderBySlug return
	// ENOTFOUND for an unknown provider.
	FindIdentityProviderByUUID(ctx context.Context, uuid string) (*IdentityProvider, error)
	FindIdentityProviderBySlug(ctx context.Context, slug string) (*IdentityProvider, error)
	FindIdentityProviderByID(ctx context.Context, id int64) (*IdentityProvider, error)
	// UpdateIdentityProvider replaces the provider's settings and mappings;
	// ENOTFOUND or ECONFLICT (slug taken).
	UpdateIdentityProvider(ctx context.Context, p *IdentityProvider) error
	// DeleteIdentityProvider removes the provider and its users' links to
	// it; ENOTFOUND when unknown.
	DeleteIdentityProvider(ctx context.Context, id int64) error

	// FindUserIdentity returns ENOTFOUND when the subject is not linked.
	FindUserIdentity(ctx context.Context, providerID int64, subject string) (*UserIdentity, error)
	// LinkUserIdentity stores a link; ECONFLICT when the subject is linked.
	LinkUserIdentity(ctx context.Context, id *UserIdentity) error

	// CreateSSOSession remembers which provider opened a session.
	CreateSSOSession(ctx context.Context, s *SSOSession) error
	// FindSSOSession returns ENOTFOUND for a session opened otherwise.
	FindSSOSession(ctx context.Context, sessionID int64) (*SSOSession, error)

	// PasswordSignInDisabled reports whether the organization's users must
	// sign in through an identity provider.
	PasswordSignInDisabled(ctx context.Context, orgID int64) (bool, error)
	// SetPasswordSignInDisabled sets it.
	SetPasswordSignInDisabled(ctx context.Context, orgID int64, disabled bool, by int64) error
}
