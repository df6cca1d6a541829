package service

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"sync"
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

// APIKeysStore is what APIKeys needs of the database: API keys. The fleetwatch
// store interfaces document each method and its errors.
type APIKeysStore interface {
	CreateAPIKey(ctx context.Context, k *fleetwatch.APIKey, by int64) error
	FindAPIKeyByUUID(ctx context.Context, uuid string) (*fleetwatch.APIKey, error)
	FindAPIKeys(ctx context.Context, f fleetwatch.APIKeyFilter) ([]*fleetwatch.APIKey, int, error)
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) error
}

// APIKeys manages site and integration keys.
type APIKeys struct {
	Store    APIKeysStore
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
//
// With cached set (push routes only) a site key may come from siteKeys.
func (s *Auth) authenticateKey(ctx context.Context, key, remoteAddr string, cached bool) (*fleetwatch.Actor, error) {
	if len(key) > 100 {
		return nil, errBadKey
	}
	wantKind := fleetwatch.KeyKindSite
	if key[:len(IntegrationKeyPrefix)] == IntegrationKeyPrefix {
		wantKind = fleetwatch.KeyKindIntegration
	}
	hash := HashToken(key)
	now := s.now()
	var k *fleetwatch.APIKey
	if cached {
		k = s.siteKeys.get(hash, now)
	}
	if k == nil {
		var err error
		k, err = s.Store.FindAPIKeyByHash(ctx, hash)
		if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
			return nil, errBadKey
		} else if err != nil {
			return nil, err
		}
		if k.Kind == fleetwatch.KeyKindSite && k.OrganizationActive {
			s.siteKeys.put(hash, k, now)
		}
	}
	if k.Kind != wantKind {
		return nil, errBadKey
	}
	// A key of an inactive organization is refused, not revoked: it
	// works again once the organization is reactivated. (A site key taken
	// from siteKeys may be a minute behind; EnqueueAuditLogs checks the
	// organization again as it stores the push.)
	if !k.OrganizationActive {
		return nil, fleetwatch.ErrOrganizationInactive
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > touchEvery-spread(hash, *k.LastUsedAt, touchEvery/4) {
		if err := s.Store.TouchAPIKey(ctx, k.ID, now); err != nil {
			return nil, err
		}
		s.siteKeys.touched(hash, now)
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

// siteKeys remembers the site keys found valid in the last minute, so that
// a fleet pushing every few seconds does not cost a key lookup per push. It
// is safe because a site key can only push, and a push is stored only
// while its key is valid: EnqueueAuditLogs checks the key in the insert
// itself (AuditLog.KeyID), so a key revoked since — on any replica — is
// refused at once. Integration keys, which read, are looked up every time.
type siteKeyCache struct {
	mu sync.Mutex
	m  map[string]siteKeyEntry
}

type siteKeyEntry struct {
	key   fleetwatch.APIKey
	until time.Time
}

const (
	siteKeyTTL     = time.Minute
	maxSiteKeys    = 100_000
	siteKeyPruneAt = maxSiteKeys / 2 // expired entries are dropped when the cache reaches this many
)

// get returns a copy of the key remembered for hash, nil when none is.
func (c *siteKeyCache) get(hash string, now time.Time) *fleetwatch.APIKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.until) {
		return nil
	}
	k := e.key
	return &k
}

func (c *siteKeyCache) put(hash string, k *fleetwatch.APIKey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]siteKeyEntry{}
	}
	if len(c.m) >= siteKeyPruneAt {
		for h, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, h)
			}
		}
		if len(c.m) >= maxSiteKeys {
			clear(c.m)
		}
	}
	c.m[hash] = siteKeyEntry{key: *k, until: now.Add(siteKeyTTL - spread(hash, now, siteKeyTTL/4))}
}

// spread returns a duration in [0, window), the same for one key and one
// moment (when it was remembered, when it was last touched) and different
// between keys. The keys of a fleet whose sites were first seen together
// (a cron at the hour, a load test's warm-up) would otherwise all expire
// from the cache, and all have their last_used_at fall due, in the same
// instant — a burst of key lookups and writes on the push path — and again
// a minute later; spread, they fall due a few at a time.
func spread(hash string, at time.Time, window time.Duration) time.Duration {
	h := fnv.New64a()
	h.Write([]byte(hash))
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(at.UnixNano()))
	h.Write(b[:])
	return time.Duration(h.Sum64() % uint64(window))
}

// touched notes that the key's last use was written at now.
func (c *siteKeyCache) touched(hash string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok {
		e.key.LastUsedAt = &now
		c.m[hash] = e
	}
}
