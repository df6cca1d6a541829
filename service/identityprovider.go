package service

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// IdentityProviderInput creates or changes an identity provider; a nil
// field is left as it is (or takes its default on creation).
type IdentityProviderInput struct {
	Slug              *string              `json:"slug,omitempty" maxLength:"40" doc:"Lowercase letters, digits and dashes; names the provider in its sign-in address"`
	Name              *string              `json:"name,omitempty" maxLength:"200" doc:"Shown on the sign-in button"`
	IssuerURL         *string              `json:"issuer_url,omitempty" maxLength:"500" doc:"https, or http on a loopback address"`
	ClientID          *string              `json:"client_id,omitempty" maxLength:"500"`
	ClientSecret      *string              `json:"client_secret,omitempty" maxLength:"2000" doc:"Stored encrypted with the server's secret key; never shown again"`
	Scopes            *[]string            `json:"scopes,omitempty" maxItems:"20" doc:"Scopes besides openid; default email, profile"`
	GroupsClaim       *string              `json:"groups_claim,omitempty" maxLength:"100" doc:"Default groups"`
	Enabled           *bool                `json:"enabled,omitempty" doc:"Default true"`
	AllowEmailLinking *bool                `json:"allow_email_linking,omitempty" doc:"Default false"`
	AutoProvision     *bool                `json:"auto_provision,omitempty" doc:"Default false"`
	MFAValues         *[]string            `json:"mfa_amr_values,omitempty" maxItems:"20" doc:"Default mfa; an empty list always asks 2FA of users who have it"`
	GroupMappings     *[]GroupMappingInput `json:"group_mappings,omitempty" maxItems:"200"`
}

// GroupMappingInput maps a group to an organization and a role.
type GroupMappingInput struct {
	Group          string `json:"group" maxLength:"200"`
	OrganizationID string `json:"organization_id,omitempty" maxLength:"36" doc:"Empty for the admin role"`
	Role           string `json:"role" enum:"admin,org_admin,member,viewer"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)

// requireAdmin refuses everyone but platform admins.
func requireAdmin(ctx context.Context) (*fleetwatch.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only platform admins manage identity providers.")
	}
	return a, nil
}

// ListProviders returns every identity provider; admins only.
func (s *SSO) ListProviders(ctx context.Context) ([]*fleetwatch.IdentityProvider, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	return s.Store.FindIdentityProviders(ctx)
}

// GetProvider returns one identity provider; admins only.
func (s *SSO) GetProvider(ctx context.Context, uuid string) (*fleetwatch.IdentityProvider, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	return s.Store.FindIdentityProviderByUUID(ctx, uuid)
}

// CreateProvider adds an identity provider; admins only.
func (s *SSO) CreateProvider(ctx context.Context, in IdentityProviderInput) (*fleetwatch.IdentityProvider, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	p, err := s.create(ctx, in)
	if err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "identity_provider.created", "identity_provider", p.UUID, 0, map[string]any{"slug": p.Slug, "issuer": p.IssuerURL})
	return p, nil
}

func (s *SSO) create(ctx context.Context, in IdentityProviderInput) (*fleetwatch.IdentityProvider, error) {
	p := &fleetwatch.IdentityProvider{Scopes: []string{"email", "profile"}, GroupsClaim: "groups", Enabled: true, MFAValues: []string{"mfa"},
		GroupMappings: []fleetwatch.GroupMapping{}}
	if err := s.apply(ctx, p, in, true); err != nil {
		return nil, err
	}
	if err := s.Store.CreateIdentityProvider(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// UpdateProvider changes an identity provider; admins only. Mappings, when
// given, replace the old ones.
func (s *SSO) UpdateProvider(ctx context.Context, uuid string, in IdentityProviderInput) (*fleetwatch.IdentityProvider, error) {
	if _, err := requireAdmin(ctx); err != nil {
		return nil, err
	}
	p, err := s.Store.FindIdentityProviderByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	if err := s.update(ctx, p, in); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "identity_provider.updated", "identity_provider", p.UUID, 0, map[string]any{"slug": p.Slug, "enabled": p.Enabled})
	return p, nil
}

func (s *SSO) update(ctx context.Context, p *fleetwatch.IdentityProvider, in IdentityProviderInput) error {
	if err := s.apply(ctx, p, in, false); err != nil {
		return err
	}
	if err := s.Store.UpdateIdentityProvider(ctx, p); err != nil {
		return err
	}
	s.forget(p.UUID)
	return nil
}

// DeleteProvider removes an identity provider and its users' links to it;
// the users stay, and sign in with a password or another provider.
func (s *SSO) DeleteProvider(ctx context.Context, uuid string) error {
	if _, err := requireAdmin(ctx); err != nil {
		return err
	}
	p, err := s.Store.FindIdentityProviderByUUID(ctx, uuid)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteIdentityProvider(ctx, p.ID); err != nil {
		return err
	}
	s.forget(p.UUID)
	s.Activity.Record(ctx, "identity_provider.deleted", "identity_provider", p.UUID, 0, map[string]any{"slug": p.Slug})
	return nil
}

// SyncProviders creates or replaces the providers given by the server's
// configuration (flags or environment), matched by slug: what the
// configuration says wins at every start.
func (s *SSO) SyncProviders(ctx context.Context, ins []IdentityProviderInput) error {
	for i, in := range ins {
		slug := deref(in.Slug)
		p, err := s.Store.FindIdentityProviderBySlug(ctx, slug)
		switch {
		case fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND:
			_, err = s.create(ctx, in)
		case err == nil:
			err = s.update(ctx, p, in)
		}
		if err != nil {
			return fmt.Errorf("identity provider %d (%q): %s", i+1, slug, fleetwatch.ErrorMessage(err))
		}
	}
	return nil
}

// apply validates in and sets it on p.
func (s *SSO) apply(ctx context.Context, p *fleetwatch.IdentityProvider, in IdentityProviderInput, creating bool) error {
	var v fleetwatch.Validation
	required := func(field *string, pointer, label string) {
		if creating && field == nil {
			v.Add(pointer, "%s is required", label)
		}
	}
	required(in.Slug, "/slug", "slug")
	required(in.Name, "/name", "name")
	required(in.IssuerURL, "/issuer_url", "issuer_url")
	required(in.ClientID, "/client_id", "client_id")
	if in.Slug != nil {
		if !slugPattern.MatchString(*in.Slug) {
			v.Add("/slug", "slug must be 1 to 40 lowercase letters, digits and dashes")
		}
		p.Slug = *in.Slug
	}
	if in.Name != nil {
		p.Name = checkText(&v, "/name", "name", *in.Name, true, MaxNameLength)
	}
	if in.IssuerURL != nil {
		p.IssuerURL = checkIssuer(&v, *in.IssuerURL)
	}
	if in.ClientID != nil {
		p.ClientID = checkText(&v, "/client_id", "client_id", *in.ClientID, true, 500)
	}
	if in.ClientSecret != nil {
		p.ClientSecret = ""
		if *in.ClientSecret != "" {
			sealed, err := s.secrets.seal(*in.ClientSecret)
			if err != nil {
				return err
			}
			p.ClientSecret = sealed
		}
	}
	if in.Scopes != nil {
		p.Scopes = checkWords(&v, "/scopes", *in.Scopes, "openid")
	}
	if in.GroupsClaim != nil {
		p.GroupsClaim = checkText(&v, "/groups_claim", "groups_claim", *in.GroupsClaim, true, 100)
	}
	if in.MFAValues != nil {
		p.MFAValues = checkWords(&v, "/mfa_amr_values", *in.MFAValues, "")
	}
	if in.Enabled != nil {
		p.Enabled = *in.Enabled
	}
	if in.AllowEmailLinking != nil {
		p.AllowEmailLinking = *in.AllowEmailLinking
	}
	if in.AutoProvision != nil {
		p.AutoProvision = *in.AutoProvision
	}
	if in.GroupMappings != nil {
		ms, err := s.checkMappings(ctx, &v, *in.GroupMappings)
		if err != nil {
			return err
		}
		p.GroupMappings = ms
	}
	return v.Err()
}

// checkIssuer accepts an absolute https URL, or http on a loopback
// address (a provider on the same machine, such as a test's). A trailing
// slash stays: the ID token's iss must equal the issuer exactly, and some
// providers' issuers end with one.
func checkIssuer(v *fleetwatch.Validation, s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || (u.Scheme != "https" && u.Scheme != "http") {
		v.Add("/issuer_url", "issuer_url must be an absolute https URL without query or fragment")
		return s
	}
	if u.Scheme == "http" {
		ip := net.ParseIP(u.Hostname())
		if u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			v.Add("/issuer_url", "issuer_url must use https (http is allowed on loopback addresses only)")
		}
	}
	return s
}

// checkWords checks a list of space-free tokens (scopes, amr values),
// dropping duplicates and skip.
func checkWords(v *fleetwatch.Validation, pointer string, in []string, skip string) []string {
	out := []string{}
	seen := map[string]bool{}
	for i, w := range in {
		w = strings.TrimSpace(w)
		if w == "" || len(w) > 100 || strings.ContainsFunc(w, func(r rune) bool { return r <= ' ' || r == '"' || r == '\\' || r > '~' }) {
			v.Add(fmt.Sprintf("%s/%d", pointer, i), "must be a word of printable ASCII without spaces")
			continue
		}
		if w != skip && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func (s *SSO) checkMappings(ctx context.Context, v *fleetwatch.Validation, in []GroupMappingInput) ([]fleetwatch.GroupMapping, error) {
	out := []fleetwatch.GroupMapping{}
	for i, m := range in {
		ptr := fmt.Sprintf("/group_mappings/%d", i)
		gm := fleetwatch.GroupMapping{Group: checkText(v, ptr+"/group", "group", m.Group, true, 200), Role: m.Role}
		checkRole(v, ptr+"/role", m.Role)
		switch {
		case m.Role == fleetwatch.RoleAdmin && m.OrganizationID != "":
			v.Add(ptr+"/organization_id", "the admin role belongs to no organization; leave organization_id empty")
		case m.Role != fleetwatch.RoleAdmin && m.OrganizationID == "":
			v.Add(ptr+"/organization_id", "organization_id is required for the role %s", m.Role)
		case m.OrganizationID != "":
			o, err := s.Store.FindOrganizationByUUID(ctx, m.OrganizationID)
			if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
				v.Add(ptr+"/organization_id", "no organization has this id")
				continue
			} else if err != nil {
				return nil, err
			}
			gm.OrganizationID, gm.OrganizationUUID = o.ID, &o.UUID
		}
		out = append(out, gm)
	}
	return out, nil
}

// SignInPolicy is an organization's sign-in policy.
type SignInPolicy struct {
	PasswordSignInDisabled bool `json:"password_sign_in_disabled" doc:"Users of the organization must sign in through an identity provider; their passwords are refused"`
}

// GetSignInPolicy returns an organization's sign-in policy; its members
// and platform admins may read it.
func (s *SSO) GetSignInPolicy(ctx context.Context, orgUUID string) (*SignInPolicy, error) {
	o, err := s.Organizations.Get(ctx, orgUUID)
	if err != nil {
		return nil, err
	}
	disabled, err := s.Store.PasswordSignInDisabled(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	return &SignInPolicy{PasswordSignInDisabled: disabled}, nil
}

// SetSignInPolicy replaces an organization's sign-in policy; its org
// admins and platform admins may.
func (s *SSO) SetSignInPolicy(ctx context.Context, orgUUID string, p SignInPolicy) (*SignInPolicy, error) {
	o, err := s.Organizations.Get(ctx, orgUUID)
	if err != nil {
		return nil, err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleOrgAdmin) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins change the sign-in policy.")
	}
	if err := s.Store.SetPasswordSignInDisabled(ctx, o.ID, p.PasswordSignInDisabled, a.UserID); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "organization.sign_in_policy_changed", "organization", o.UUID, o.ID, map[string]any{"password_sign_in_disabled": p.PasswordSignInDisabled})
	return &p, nil
}

// passwordRefused reports whether u's organization refuses passwords.
// Platform admins are never refused: they must be able to sign in when a
// provider fails.
func passwordRefused(ctx context.Context, p PasswordPolicy, u *fleetwatch.User) (bool, error) {
	if p == nil || u.Role == fleetwatch.RoleAdmin || u.OrganizationID == 0 {
		return false, nil
	}
	return p.PasswordSignInDisabled(ctx, u.OrganizationID)
}

// PasswordPolicy tells whether an organization refuses passwords.
type PasswordPolicy interface {
	PasswordSignInDisabled(ctx context.Context, orgID int64) (bool, error)
}
