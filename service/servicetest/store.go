// Package servicetest holds in-memory test doubles of the store ports the
// services declare, for the service tests whose rule needs no database:
// sign-in and second factors, SLA policies, the activity trail,
// notifications and their digests. They keep
// their data in maps and answer with the error codes the fleetwatch store
// interfaces document; the SQL store is tested against the same contracts
// on both databases in sqlstore.
package servicetest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Store is an in-memory store of organizations, users, sessions, second
// factors, SLA policies, the activity trail, notification deliveries,
// exposures and event tickets. It implements the ports of Auth, Activity,
// SLA, Notifier and Events (service.AuthStore, service.ActivityStore,
// service.SLAStore, service.NotifierStore, service.EventsStore). The zero
// value is not ready: use NewStore.
type Store struct {
	// Now is the clock of the timestamps it fills; time.Now when nil.
	Now func() time.Time

	mu       sync.Mutex
	seq      int64
	orgs     map[int64]*fleetwatch.Organization
	users    map[int64]*fleetwatch.User
	totpStep map[int64]int64
	backup   map[int64]map[string]bool // user → code hash → used
	tokens   map[string]time.Time      // used single-use tokens → expiry
	sessions map[int64]*fleetwatch.Session
	refresh  map[string]*fleetwatch.RefreshToken // by hash
	policies map[int64][]*fleetwatch.SLAPolicy   // by organization, oldest first
	activity []*fleetwatch.ActivityLog

	deliveries []*fleetwatch.NotificationDelivery
	exposures  []*fleetwatch.Exposure
	tickets    map[string]*fleetwatch.EventTicket
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		orgs: map[int64]*fleetwatch.Organization{}, users: map[int64]*fleetwatch.User{},
		totpStep: map[int64]int64{}, backup: map[int64]map[string]bool{}, tokens: map[string]time.Time{},
		sessions: map[int64]*fleetwatch.Session{}, refresh: map[string]*fleetwatch.RefreshToken{},
		policies: map[int64][]*fleetwatch.SLAPolicy{}, tickets: map[string]*fleetwatch.EventTicket{},
	}
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// next returns a new id and a uuid derived from it (callers hold mu).
func (s *Store) next() (int64, string) {
	s.seq++
	return s.seq, fmt.Sprintf("00000000-0000-4000-8000-%012d", s.seq)
}

func notFound(what string) error {
	return fleetwatch.Errorf(fleetwatch.ENOTFOUND, "%s not found.", what)
}

// userUUID returns the uuid of user id, or nil for 0 or an unknown user
// (callers hold mu).
func (s *Store) userUUID(id int64) *string {
	if u, ok := s.users[id]; ok {
		uuid := u.UUID
		return &uuid
	}
	return nil
}

// CreateOrganization fills ID, UUID and timestamps.
func (s *Store) CreateOrganization(_ context.Context, o *fleetwatch.Organization, by int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o.ID, o.UUID = s.next()
	o.CreatedAt, o.UpdatedAt = s.now(), s.now()
	o.CreatedBy, o.UpdatedBy = s.userUUID(by), s.userUUID(by)
	c := *o
	s.orgs[o.ID] = &c
	return nil
}

// FindOrganizationByID returns ENOTFOUND for an unknown organization.
func (s *Store) FindOrganizationByID(_ context.Context, id int64) (*fleetwatch.Organization, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o, ok := s.orgs[id]; ok {
		c := *o
		return &c, nil
	}
	return nil, notFound("Organization")
}

// FindOrganizationByUUID returns ENOTFOUND for an unknown organization.
func (s *Store) FindOrganizationByUUID(_ context.Context, uuid string) (*fleetwatch.Organization, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.orgs {
		if o.UUID == uuid {
			c := *o
			return &c, nil
		}
	}
	return nil, notFound("Organization")
}

// CreateUser fills ID, UUID and timestamps; ECONFLICT for an e-mail in use
// (ignoring case), ENOTFOUND for an unknown organization.
func (s *Store) CreateUser(_ context.Context, u *fleetwatch.User, by int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.OrganizationID != 0 && s.orgs[u.OrganizationID] == nil {
		return notFound("Organization")
	}
	for _, o := range s.users {
		if strings.EqualFold(o.Email, u.Email) {
			return fleetwatch.Errorf(fleetwatch.ECONFLICT, "Email is already in use.")
		}
	}
	u.ID, u.UUID = s.next()
	u.CreatedAt, u.UpdatedAt = s.now(), s.now()
	u.CreatedBy, u.UpdatedBy = s.userUUID(by), s.userUUID(by)
	c := *u
	s.users[u.ID] = &c
	return nil
}

// user returns a copy of a user with their organization's uuid and
// standing, as the SQL store reads them (callers hold mu).
func (s *Store) user(u *fleetwatch.User) *fleetwatch.User {
	c := *u
	c.OrganizationActive = true
	if o, ok := s.orgs[u.OrganizationID]; ok {
		uuid := o.UUID
		c.OrganizationUUID, c.OrganizationActive = &uuid, o.IsActive
	}
	return &c
}

func (s *Store) findUser(match func(*fleetwatch.User) bool) (*fleetwatch.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if match(u) {
			return s.user(u), nil
		}
	}
	return nil, notFound("User")
}

// FindUserByID returns ENOTFOUND for an unknown user.
func (s *Store) FindUserByID(_ context.Context, id int64) (*fleetwatch.User, error) {
	return s.findUser(func(u *fleetwatch.User) bool { return u.ID == id })
}

// FindUserByUUID returns ENOTFOUND for an unknown user.
func (s *Store) FindUserByUUID(_ context.Context, uuid string) (*fleetwatch.User, error) {
	return s.findUser(func(u *fleetwatch.User) bool { return u.UUID == uuid })
}

// FindUserByEmail matches the e-mail ignoring case; ENOTFOUND when none.
func (s *Store) FindUserByEmail(_ context.Context, email string) (*fleetwatch.User, error) {
	return s.findUser(func(u *fleetwatch.User) bool { return strings.EqualFold(u.Email, email) })
}

// FindUsers returns a page of the users that match f's organization (0:
// all), role, standing and e-mail (ignoring case), by id; it ignores the
// search and the sort.
func (s *Store) FindUsers(_ context.Context, f fleetwatch.UserFilter) ([]*fleetwatch.User, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*fleetwatch.User
	for _, u := range s.users {
		if (f.OrganizationID == 0 || u.OrganizationID == f.OrganizationID) && (f.Role == "" || u.Role == f.Role) &&
			(f.IsActive == nil || u.IsActive == *f.IsActive) && (f.Email == "" || strings.EqualFold(u.Email, f.Email)) {
			all = append(all, s.user(u))
		}
	}
	slices.SortFunc(all, func(a, b *fleetwatch.User) int { return cmp.Compare(a.ID, b.ID) })
	return fleetwatch.PageOf(all, f.ListOptions), len(all), nil
}

// UpdateUser applies the fields set in upd; ENOTFOUND for an unknown user.
func (s *Store) UpdateUser(_ context.Context, id int64, upd fleetwatch.UserUpdate, by int64) (*fleetwatch.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return nil, notFound("User")
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&u.Name, upd.Name)
	set(&u.Email, upd.Email)
	set(&u.Role, upd.Role)
	set(&u.HashedPassword, upd.HashedPassword)
	if upd.IsActive != nil {
		u.IsActive = *upd.IsActive
	}
	if upd.OrganizationID != nil {
		u.OrganizationID = *upd.OrganizationID
	}
	u.UpdatedAt, u.UpdatedBy = s.now(), s.userUUID(by)
	return s.user(u), nil
}

// SetLastLogin records a sign-in.
func (s *Store) SetLastLogin(_ context.Context, id int64, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[id]; ok {
		at := at.UTC()
		u.LastLogin = &at
	}
	return nil
}

// SetNotificationPreferences replaces a user's preferences.
func (s *Store) SetNotificationPreferences(_ context.Context, userID int64, prefs json.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.NotificationPreferences = append(json.RawMessage(nil), prefs...)
	}
	return nil
}
