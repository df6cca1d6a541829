package service

import (
	"context"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// MaxJustificationLength bounds an acceptance's justification.
const MaxJustificationLength = 2000

// AcceptancesStore is what Acceptances needs of the database: risk
// acceptances. The fleetwatch store interfaces document each method and its
// errors.
type AcceptancesStore interface {
	CreateAcceptance(ctx context.Context, a *fleetwatch.Acceptance, by int64) error
	FindActiveAcceptance(ctx context.Context, exposureID int64, t time.Time) (*fleetwatch.Acceptance, error)
	RevokeAcceptance(ctx context.Context, id int64, t time.Time, by int64) error
}

// Acceptances lets org admins accept the risk of an open exposure for a
// while, pausing its SLA clock.
type Acceptances struct {
	Store     AcceptancesStore
	Exposures *Exposures
	Activity  *Activity
	Now       func() time.Time
	// OnChange is told the organization whose exposure was accepted or
	// revoked (reports cache their answers until the data changes).
	OnChange func(ctx context.Context, orgID int64)
}

func (s *Acceptances) changed(ctx context.Context, orgID int64) {
	if s.OnChange != nil {
		s.OnChange(ctx, orgID)
	}
}

func (s *Acceptances) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Accept records the acceptance of an exposure of the caller's organization
// until expiresAt. The due date moves by the accepted period, unless the
// exposure is already past due: a breach stays a breach.
func (s *Acceptances) Accept(ctx context.Context, exposureUUID, justification string, expiresAt time.Time) (*fleetwatch.Acceptance, error) {
	e, err := s.Exposures.Get(ctx, exposureUUID)
	if err != nil {
		return nil, err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleOrgAdmin) || a.UserID == 0 {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins accept a risk.")
	}
	now := s.now()
	var v fleetwatch.Validation
	justification = strings.TrimSpace(justification)
	switch {
	case justification == "":
		v.Add("/justification", "justification must say why the risk is accepted")
	case len([]rune(justification)) > MaxJustificationLength:
		v.Add("/justification", "justification must be at most %d characters", MaxJustificationLength)
	}
	switch {
	case !expiresAt.After(now):
		v.Add("/expires_at", "expires_at must be in the future")
	case expiresAt.Sub(now) > fleetwatch.MaxAcceptance:
		v.Add("/expires_at", "a risk is accepted for at most a year at a time")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if e.State != "open" {
		return nil, fleetwatch.Errorf(fleetwatch.ECONFLICT, "The exposure is resolved; there is no risk left to accept.")
	}
	acc := &fleetwatch.Acceptance{ExposureID: e.ID, Justification: justification, AcceptedAt: now, ExpiresAt: expiresAt.UTC()}
	if e.DueAt.After(now) {
		acc.DueShift = expiresAt.Sub(now).Truncate(time.Second)
	}
	if err := s.Store.CreateAcceptance(ctx, acc, a.UserID); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "exposure.accepted", "exposure", e.UUID, e.OrganizationID,
		map[string]any{"expires_at": acc.ExpiresAt, "justification": truncate(justification, 200)})
	s.changed(ctx, e.OrganizationID)
	return acc, nil
}

// Get returns the acceptance in force on an exposure of the caller's
// organization; ENOTFOUND when there is none.
func (s *Acceptances) Get(ctx context.Context, exposureUUID string) (*fleetwatch.Acceptance, error) {
	e, err := s.Exposures.Get(ctx, exposureUUID)
	if err != nil {
		return nil, err
	}
	return s.Store.FindActiveAcceptance(ctx, e.ID, s.now())
}

// Revoke ends the acceptance in force: the SLA clock runs again.
func (s *Acceptances) Revoke(ctx context.Context, exposureUUID string) error {
	e, err := s.Exposures.Get(ctx, exposureUUID)
	if err != nil {
		return err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleOrgAdmin) || a.UserID == 0 {
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins revoke an acceptance.")
	}
	now := s.now()
	acc, err := s.Store.FindActiveAcceptance(ctx, e.ID, now)
	if err != nil {
		return err
	}
	if err := s.Store.RevokeAcceptance(ctx, acc.ID, now, a.UserID); err != nil {
		return err
	}
	s.Activity.Record(ctx, "exposure.acceptance_revoked", "exposure", e.UUID, e.OrganizationID, nil)
	s.changed(ctx, e.OrganizationID)
	return nil
}
