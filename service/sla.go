package service

import (
	"context"
	"sync"

	"github.com/fleetwatch/fleetwatch"
)

// SLAPolicyChange is called after an organization's SLA policy changed, with
// the new version: the update analysis recomputes the due dates of the
// organization's open exposures from it (resolved ones keep their frozen
// outcome).
type SLAPolicyChange func(ctx context.Context, p *fleetwatch.SLAPolicy) error

// SLAStore is what SLA needs of the database: SLA policies. The fleetwatch
// store interfaces document each method and its errors.
type SLAStore interface {
	CreateSLAPolicyVersion(ctx context.Context, p *fleetwatch.SLAPolicy, by int64) error
	FindOrganizationByID(ctx context.Context, id int64) (*fleetwatch.Organization, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindSLAPolicy(ctx context.Context, organizationID int64) (*fleetwatch.SLAPolicy, error)
	FindSLAPolicyVersions(ctx context.Context, organizationID int64) ([]*fleetwatch.SLAPolicy, error)
}

// SLA manages organizations' SLA policies (docs/architecture.md: the SLA clock). The arithmetic of
// deadlines is fleetwatch.ComputeSLAClock, fleetwatch.SLAState and
// fleetwatch.SLAOutcome; this service says which policy applies.
type SLA struct {
	Store    SLAStore
	Activity *Activity

	mu    sync.Mutex
	hooks []SLAPolicyChange
}

// SLAPolicyInput is the body of a policy change.
type SLAPolicyInput struct {
	Deadlines  fleetwatch.SLADeadlineDays
	ClockStart string
}

// OnPolicyChange registers fn to run after each policy change, once the new
// version is saved. fn runs before the change is answered, without the
// request's cancellation; its error is logged, not returned: the policy is
// saved either way.
func (s *SLA) OnPolicyChange(fn SLAPolicyChange) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, fn)
}

// PolicyFor returns the policy in force for an organization: its newest
// saved version, or fleetwatch.DefaultSLAPolicy (version 0) when it never
// set one. It checks no actor: it is for the analysis, which computes due
// dates for every organization (see fleetwatch.ComputeSLAClock).
func (s *SLA) PolicyFor(ctx context.Context, organizationID int64) (fleetwatch.SLAPolicy, error) {
	p, err := s.Store.FindSLAPolicy(ctx, organizationID)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		def := fleetwatch.DefaultSLAPolicy(organizationID)
		o, err := s.Store.FindOrganizationByID(ctx, organizationID)
		if err != nil {
			return fleetwatch.SLAPolicy{}, err
		}
		def.OrganizationUUID = o.UUID
		return def, nil
	} else if err != nil {
		return fleetwatch.SLAPolicy{}, err
	}
	return *p, nil
}

// Get returns the policy in force of an organization the actor may see;
// ENOTFOUND for any other.
func (s *SLA) Get(ctx context.Context, orgUUID string) (*fleetwatch.SLAPolicy, error) {
	o, err := s.organization(ctx, orgUUID)
	if err != nil {
		return nil, err
	}
	p, err := s.PolicyFor(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Versions returns every saved version of an organization's policy, newest
// first, to anyone who may see the organization.
func (s *SLA) Versions(ctx context.Context, orgUUID string) ([]*fleetwatch.SLAPolicy, error) {
	o, err := s.organization(ctx, orgUUID)
	if err != nil {
		return nil, err
	}
	return s.Store.FindSLAPolicyVersions(ctx, o.ID)
}

// Put saves a new version of an organization's policy: its org admins and
// platform admins only. The change is recorded in the activity trail and
// the OnPolicyChange hooks run.
func (s *SLA) Put(ctx context.Context, orgUUID string, in SLAPolicyInput) (*fleetwatch.SLAPolicy, error) {
	o, err := s.organization(ctx, orgUUID)
	if err != nil {
		return nil, err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleOrgAdmin) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins change the SLA policy.")
	}
	var v fleetwatch.Validation
	d := in.Deadlines
	for _, f := range []struct {
		ptr  string
		days int
	}{
		{"/deadlines/highly_critical", d.HighlyCritical}, {"/deadlines/critical", d.Critical},
		{"/deadlines/moderately_critical", d.ModeratelyCritical}, {"/deadlines/less_critical", d.LessCritical},
		{"/deadlines/not_critical", d.NotCritical},
	} {
		if f.days < 1 || f.days > 3650 {
			v.Add(f.ptr, "%s must be between 1 and 3650 days", f.ptr[len("/deadlines/"):])
		}
	}
	clock := in.ClockStart
	if clock == "" {
		clock = fleetwatch.SLAClockPublished
	}
	if clock != fleetwatch.SLAClockPublished && clock != fleetwatch.SLAClockDetected {
		v.Add("/clock_start", "clock_start must be published or detected")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	prev, err := s.PolicyFor(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	p := &fleetwatch.SLAPolicy{OrganizationID: o.ID, Deadlines: d, ClockStart: clock}
	if err := s.Store.CreateSLAPolicyVersion(ctx, p, a.UserID); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "sla_policy.changed", "organization", o.UUID, o.ID, map[string]any{
		"version": p.Version, "from": policyDetails(prev), "to": policyDetails(*p),
	})
	s.mu.Lock()
	hooks := append([]SLAPolicyChange(nil), s.hooks...)
	s.mu.Unlock()
	for _, fn := range hooks {
		if err := fn(context.WithoutCancel(ctx), p); err != nil {
			s.Activity.Logger.Error("sla policy change hook", "organization", o.UUID, "version", p.Version, "err", err)
		}
	}
	return p, nil
}

func policyDetails(p fleetwatch.SLAPolicy) map[string]any {
	return map[string]any{"deadlines": p.Deadlines, "clock_start": p.ClockStart, "version": p.Version}
}

// organization returns an organization the actor may see, ENOTFOUND
// otherwise.
func (s *SLA) organization(ctx context.Context, orgUUID string) (*fleetwatch.Organization, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.Store.FindOrganizationByUUID(ctx, orgUUID)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && o.ID != a.OrganizationID {
		return nil, errOrganizationNotFound
	}
	return o, nil
}
