package service

import (
	"context"

	"github.com/fleetwatch/fleetwatch"
)

// OrganizationsStore is what Organizations needs of the database:
// organizations. The fleetwatch store interfaces document each method and its
// errors.
type OrganizationsStore interface {
	CreateOrganization(ctx context.Context, o *fleetwatch.Organization, by int64) error
	DeleteOrganization(ctx context.Context, id int64, by int64) error
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindOrganizations(ctx context.Context, f fleetwatch.OrganizationFilter) ([]*fleetwatch.Organization, int, error)
	UpdateOrganization(ctx context.Context, id int64, upd fleetwatch.OrganizationUpdate, by int64) (*fleetwatch.Organization, error)
}

// Organizations manages organizations.
type Organizations struct {
	Store    OrganizationsStore
	Activity *Activity
}

// OrganizationInput is the body of a create or a partial update.
type OrganizationInput struct {
	Name     *string
	TaxID    *string
	IsActive *bool
}

// List returns the organizations the actor may see: all for an admin, their
// own for everyone else.
func (s *Organizations) List(ctx context.Context, f fleetwatch.OrganizationFilter) ([]*fleetwatch.Organization, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !a.IsAdmin() {
		if a.OrganizationID == 0 {
			return nil, 0, nil
		}
		f.ID = a.OrganizationID
	}
	return s.Store.FindOrganizations(ctx, f)
}

// Get returns one organization; ENOTFOUND when it does not exist or the actor
// is outside it.
func (s *Organizations) Get(ctx context.Context, uuid string) (*fleetwatch.Organization, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	o, err := s.Store.FindOrganizationByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && o.ID != a.OrganizationID {
		return nil, errOrganizationNotFound
	}
	return o, nil
}

// Create creates an organization; admins only.
func (s *Organizations) Create(ctx context.Context, in OrganizationInput) (*fleetwatch.Organization, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only platform admins create organizations.")
	}
	var v fleetwatch.Validation
	o := &fleetwatch.Organization{IsActive: true}
	o.Name = checkText(&v, "/name", "name", deref(in.Name), true, MaxNameLength)
	o.TaxID = checkText(&v, "/tax_id", "tax_id", deref(in.TaxID), false, MaxTaxIDLength)
	if in.IsActive != nil {
		o.IsActive = *in.IsActive
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateOrganization(ctx, o, a.UserID); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "organization.created", "organization", o.UUID, o.ID, map[string]any{"name": o.Name})
	return o, nil
}

// Update changes an organization: admins any, org admins their own (not its
// activation).
func (s *Organizations) Update(ctx context.Context, uuid string, in OrganizationInput) (*fleetwatch.Organization, error) {
	o, err := s.Get(ctx, uuid)
	if err != nil {
		return nil, err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleOrgAdmin) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins change an organization.")
	}
	var v fleetwatch.Validation
	upd := fleetwatch.OrganizationUpdate{IsActive: in.IsActive}
	if in.Name != nil {
		name := checkText(&v, "/name", "name", *in.Name, true, MaxNameLength)
		upd.Name = &name
	}
	if in.TaxID != nil {
		tax := checkText(&v, "/tax_id", "tax_id", *in.TaxID, false, MaxTaxIDLength)
		upd.TaxID = &tax
	}
	if in.IsActive != nil && !a.IsAdmin() {
		v.Add("/is_active", "only platform admins activate or deactivate an organization")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	updated, err := s.Store.UpdateOrganization(ctx, o.ID, upd, a.UserID)
	if err != nil {
		return nil, err
	}
	if in.IsActive != nil && *in.IsActive != o.IsActive {
		s.Activity.Record(ctx, "organization.activation_changed", "organization", o.UUID, o.ID, map[string]any{"is_active": *in.IsActive})
	}
	return updated, nil
}

// Delete soft-deletes an organization with its sites and users; admins only.
func (s *Organizations) Delete(ctx context.Context, uuid string) error {
	o, err := s.Get(ctx, uuid)
	if err != nil {
		return err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.IsAdmin() {
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only platform admins delete organizations.")
	}
	if err := s.Store.DeleteOrganization(ctx, o.ID, a.UserID); err != nil {
		return err
	}
	s.Activity.Record(ctx, "organization.deleted", "organization", o.UUID, o.ID, map[string]any{"name": o.Name})
	return nil
}

var errOrganizationNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Organization not found.")

// actor returns the actor of the request or EUNAUTHORIZED.
func actor(ctx context.Context) (*fleetwatch.Actor, error) {
	a := fleetwatch.ActorFromContext(ctx)
	if a == nil {
		return nil, fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "Authentication required.")
	}
	return a, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
