package servicetest

import (
	"context"
	"slices"

	"github.com/fleetwatch/fleetwatch"
)

// FindSLAPolicy returns the newest saved policy of an organization;
// ENOTFOUND when it never saved one.
func (s *Store) FindSLAPolicy(_ context.Context, organizationID int64) (*fleetwatch.SLAPolicy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.policies[organizationID]
	if len(vs) == 0 {
		return nil, notFound("SLA policy")
	}
	c := *vs[len(vs)-1]
	return &c, nil
}

// FindSLAPolicyVersions returns every saved version, newest first.
func (s *Store) FindSLAPolicyVersions(_ context.Context, organizationID int64) ([]*fleetwatch.SLAPolicy, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*fleetwatch.SLAPolicy{}
	for _, p := range slices.Backward(s.policies[organizationID]) {
		c := *p
		out = append(out, &c)
	}
	return out, nil
}

// CreateSLAPolicyVersion saves p as the organization's next version and
// fills ID, Version, OrganizationUUID, CreatedAt and CreatedBy; ENOTFOUND
// for an unknown organization.
func (s *Store) CreateSLAPolicyVersion(_ context.Context, p *fleetwatch.SLAPolicy, by int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgs[p.OrganizationID]
	if !ok {
		return notFound("Organization")
	}
	p.ID, _ = s.next()
	p.Version = len(s.policies[o.ID]) + 1
	p.OrganizationUUID = o.UUID
	at := s.now()
	p.CreatedAt, p.CreatedBy, p.CreatedByID = &at, s.userUUID(by), by
	c := *p
	s.policies[o.ID] = append(s.policies[o.ID], &c)
	return nil
}

// CreateActivity appends an entry to the trail and fills ID, UUID and
// CreatedAt.
func (s *Store) CreateActivity(_ context.Context, a *fleetwatch.ActivityLog) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.ID, a.UUID = s.next()
	a.CreatedAt = s.now()
	c := *a
	s.activity = append(s.activity, &c)
	return nil
}

// FindActivity returns the entries of f.OrganizationID (0: all) and
// f.Action (empty: any), newest first; it ignores the page and the search.
func (s *Store) FindActivity(_ context.Context, f fleetwatch.ActivityFilter) ([]*fleetwatch.ActivityLog, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*fleetwatch.ActivityLog{}
	for _, a := range slices.Backward(s.activity) {
		if (f.OrganizationID == 0 || a.OrganizationID == f.OrganizationID) && (f.Action == "" || a.Action == f.Action) {
			c := *a
			out = append(out, &c)
		}
	}
	return out, len(out), nil
}
