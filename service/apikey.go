package service

import (
	"context"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Key prefixes tell the kind of a key at a glance (and to secret scanners).
const (
	SiteKeyPrefix        = "fwk_"
	IntegrationKeyPrefix = "fwi_"
)

// touchEvery bounds how often a key's last_used_at is written: a site that
// pushes every minute should not cost a write per push for it.
const touchEvery = time.Minute

// CreatedAPIKey is a new key with its secret, shown this once.
type CreatedAPIKey struct {
	*fleetwatch.APIKey
	Key string `json:"key" doc:"The key itself. It is shown only now: store it safely."`
}

// APIKeyInput is the body of a key creation.
type APIKeyInput struct {
	Name  string
	Scope string // integration keys: read or write
}

// APIKeys manages site and integration keys.
type APIKeys struct {
	Store    AuthStore
	Sites    *Sites
	Orgs     *Organizations
	Activity *Activity
	Now      func() time.Time
}

func (s *APIKeys) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// CreateSiteKey creates a key that pushes for one site; members and above.
func (s *APIKeys) CreateSiteKey(ctx context.Context, siteUUID string, in APIKeyInput) (*CreatedAPIKey, error) {
	site, err := s.Sites.Get(ctx, siteUUID)
	if err != nil {
		return nil, err
	}
	if !fleetwatch.ActorFromContext(ctx).Can(fleetwatch.RoleMember) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Viewers cannot create keys.")
	}
	k := &fleetwatch.APIKey{Kind: fleetwatch.KeyKindSite, OrganizationID: site.OrganizationID, SiteID: site.ID}
	return s.create(ctx, k, in, SiteKeyPrefix)
}

// CreateIntegrationKey creates a key that acts for an organization with
// scope read (as a viewer) or write (as a member); org admins and above.
func (s *APIKeys) CreateIntegrationKey(ctx context.Context, orgUUID string, in APIKeyInput) (*CreatedAPIKey, error) {
	o, err := s.Orgs.Get(ctx, orgUUID)
	if err != nil {
		return nil, err
	}
	if !fleetwatch.ActorFromContext(ctx).Can(fleetwatch.RoleOrgAdmin) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins create integration keys.")
	}
	k := &fleetwatch.APIKey{Kind: fleetwatch.KeyKindIntegration, OrganizationID: o.ID, Scope: in.Scope}
	if in.Scope != fleetwatch.ScopeRead && in.Scope != fleetwatch.ScopeWrite {
		var v fleetwatch.Validation
		v.Add("/scope", "scope must be read or write")
		return nil, v.Err()
	}
	return s.create(ctx, k, in, IntegrationKeyPrefix)
}

func (s *APIKeys) create(ctx context.Context, k *fleetwatch.APIKey, in APIKeyInput, prefix string) (*CreatedAPIKey, error) {
	a := fleetwatch.ActorFromContext(ctx)
	var v fleetwatch.Validation
	k.Name = checkText(&v, "/name", "name", in.Name, true, MaxNameLength)
	if err := v.Err(); err != nil {
		return nil, err
	}
	secret, err := randomToken(32) // 256 bits
	if err != nil {
		return nil, err
	}
	key := prefix + secret
	k.Hash = HashToken(key)
	k.Prefix = key[:len(prefix)+6]
	if err := s.Store.CreateAPIKey(ctx, k, a.UserID); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "api_key.created", "api_key", k.UUID, k.OrganizationID, map[string]any{"kind": k.Kind, "name": k.Name, "scope": k.Scope})
	return &CreatedAPIKey{APIKey: k, Key: key}, nil
}

// ListSiteKeys lists a site's keys, revoked ones included.
func (s *APIKeys) ListSiteKeys(ctx context.Context, siteUUID string, opts fleetwatch.ListOptions) ([]*fleetwatch.APIKey, int, error) {
	site, err := s.Sites.Get(ctx, siteUUID)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.FindAPIKeys(ctx, fleetwatch.APIKeyFilter{ListOptions: opts, OrganizationID: site.OrganizationID, SiteID: site.ID, Kind: fleetwatch.KeyKindSite})
}

// ListIntegrationKeys lists an organization's integration keys.
func (s *APIKeys) ListIntegrationKeys(ctx context.Context, orgUUID string, opts fleetwatch.ListOptions) ([]*fleetwatch.APIKey, int, error) {
	o, err := s.Orgs.Get(ctx, orgUUID)
	if err != nil {
		return nil, 0, err
	}
	if !fleetwatch.ActorFromContext(ctx).Can(fleetwatch.RoleOrgAdmin) {
		return nil, 0, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins see integration keys.")
	}
	return s.Store.FindAPIKeys(ctx, fleetwatch.APIKeyFilter{ListOptions: opts, OrganizationID: o.ID, Kind: fleetwatch.KeyKindIntegration})
}

var errKeyNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "API key not found.")

// RevokeSiteKey revokes one of a site's keys; members and above.
func (s *APIKeys) RevokeSiteKey(ctx context.Context, siteUUID, keyUUID string) error {
	site, err := s.Sites.Get(ctx, siteUUID)
	if err != nil {
		return err
	}
	if !fleetwatch.ActorFromContext(ctx).Can(fleetwatch.RoleMember) {
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Viewers cannot revoke keys.")
	}
	return s.revoke(ctx, keyUUID, func(k *fleetwatch.APIKey) bool { return k.Kind == fleetwatch.KeyKindSite && k.SiteID == site.ID })
}

// RevokeIntegrationKey revokes an organization's integration key.
func (s *APIKeys) RevokeIntegrationKey(ctx context.Context, orgUUID, keyUUID string) error {
	o, err := s.Orgs.Get(ctx, orgUUID)
	if err != nil {
		return err
	}
	if !fleetwatch.ActorFromContext(ctx).Can(fleetwatch.RoleOrgAdmin) {
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins revoke integration keys.")
	}
	return s.revoke(ctx, keyUUID, func(k *fleetwatch.APIKey) bool {
		return k.Kind == fleetwatch.KeyKindIntegration && k.OrganizationID == o.ID
	})
}

func (s *APIKeys) revoke(ctx context.Context, keyUUID string, belongs func(*fleetwatch.APIKey) bool) error {
	k, err := s.Store.FindAPIKeyByUUID(ctx, keyUUID)
	if err != nil {
		return err
	}
	if !belongs(k) || k.RevokedAt != nil {
		return errKeyNotFound
	}
	if err := s.Store.RevokeAPIKey(ctx, k.ID, s.now()); err != nil {
		return err
	}
	s.Activity.Record(ctx, "api_key.revoked", "api_key", k.UUID, k.OrganizationID, map[string]any{"kind": k.Kind, "name": k.Name})
	return nil
}

var errBadKey = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The API key is invalid or revoked.")

// authenticateKey turns an API key into an actor. A site key may push for
// its site and nothing else; an integration key acts for its organization as
// a viewer (read) or a member (write), never more.
func (s *Auth) authenticateKey(ctx context.Context, key, remoteAddr string) (*fleetwatch.Actor, error) {
	if len(key) > 100 {
		return nil, errBadKey
	}
	k, err := s.Store.FindAPIKeyByHash(ctx, HashToken(key))
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return nil, errBadKey
	} else if err != nil {
		return nil, err
	}
	wantKind := fleetwatch.KeyKindSite
	if key[:len(IntegrationKeyPrefix)] == IntegrationKeyPrefix {
		wantKind = fleetwatch.KeyKindIntegration
	}
	if k.Kind != wantKind {
		return nil, errBadKey
	}
	now := s.now()
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > touchEvery {
		if err := s.Store.TouchAPIKey(ctx, k.ID, now); err != nil {
			return nil, err
		}
	}
	a := &fleetwatch.Actor{APIKeyID: k.ID, OrganizationID: k.OrganizationID, RemoteAddr: remoteAddr}
	switch {
	case k.Kind == fleetwatch.KeyKindSite:
		a.SiteID = k.SiteID
	case k.Scope == fleetwatch.ScopeWrite:
		a.Role = fleetwatch.RoleMember
	default:
		a.Role = fleetwatch.RoleViewer
	}
	return a, nil
}
