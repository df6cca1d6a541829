package service

import (
	"context"

	"github.com/fleetwatch/fleetwatch"
)

// SitesStore is what Sites needs of the database: sites. The fleetwatch store
// interfaces document each method and its errors.
type SitesStore interface {
	CreateSite(ctx context.Context, s *fleetwatch.Site, by int64) error
	DeleteSite(ctx context.Context, id int64, by int64) error
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindSiteByUUID(ctx context.Context, uuid string) (*fleetwatch.Site, error)
	FindSites(ctx context.Context, f fleetwatch.SiteFilter) ([]*fleetwatch.Site, int, error)
	UpdateSite(ctx context.Context, id int64, upd fleetwatch.SiteUpdate, by int64) (*fleetwatch.Site, error)
}

// Sites manages the Drupal sites of organizations.
type Sites struct {
	Store    SitesStore
	Activity *Activity
	// Platforms judges the sites' PHP and Drupal core in the answers of
	// List, Get, Update (nil: not judged).
	Platforms *Platforms
}

// SiteInput is the body of a site create or partial update.
type SiteInput struct {
	URL            *string
	Name           *string
	Description    *string
	OrganizationID *string // uuid; defaults to the actor's organization
	IsActive       *bool
}

var errSiteNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Site not found.")

// List returns the sites the actor may see.
func (s *Sites) List(ctx context.Context, f fleetwatch.SiteFilter, orgUUID string) ([]*fleetwatch.Site, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, orgUUID)
	if err != nil || !visible {
		return nil, 0, err
	}
	f.OrganizationID = orgID
	sites, total, err := s.Store.FindSites(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	s.Platforms.Fill(ctx, sites...)
	return sites, total, nil
}

// Show returns a site of the actor's organization (any for an admin) as the
// API shows it: with its platforms judged.
func (s *Sites) Show(ctx context.Context, uuid string) (*fleetwatch.Site, error) {
	site, err := s.Get(ctx, uuid)
	if err != nil {
		return nil, err
	}
	s.Platforms.Fill(ctx, site)
	return site, nil
}

// Get returns a site of the actor's organization (any for an admin).
func (s *Sites) Get(ctx context.Context, uuid string) (*fleetwatch.Site, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	site, err := s.Store.FindSiteByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && site.OrganizationID != a.OrganizationID {
		return nil, errSiteNotFound
	}
	return site, nil
}

// Create registers a site; members and above.
func (s *Sites) Create(ctx context.Context, in SiteInput) (*fleetwatch.Site, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Can(fleetwatch.RoleMember) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Viewers cannot create sites.")
	}
	var v fleetwatch.Validation
	site := &fleetwatch.Site{IsActive: true}
	site.URL = checkSiteURL(&v, "/url", deref(in.URL))
	site.Name = checkText(&v, "/name", "name", deref(in.Name), true, MaxNameLength)
	site.Description = checkDescription(&v, "/description", deref(in.Description))
	if in.IsActive != nil {
		site.IsActive = *in.IsActive
	}
	site.OrganizationID = a.OrganizationID
	if orgUUID := deref(in.OrganizationID); orgUUID != "" {
		o, err := s.Store.FindOrganizationByUUID(ctx, orgUUID)
		switch {
		case fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && !a.IsAdmin() && o.ID != a.OrganizationID):
			v.Add("/organization_id", "organization not found")
		case err != nil:
			return nil, err
		default:
			site.OrganizationID = o.ID
		}
	} else if site.OrganizationID == 0 {
		v.Add("/organization_id", "organization_id is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateSite(ctx, site, a.UserID); err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "site.created", "site", site.UUID, site.OrganizationID, map[string]any{"url": site.URL})
	return site, nil
}

// Update changes a site; members and above.
func (s *Sites) Update(ctx context.Context, uuid string, in SiteInput) (*fleetwatch.Site, error) {
	site, err := s.Get(ctx, uuid)
	if err != nil {
		return nil, err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleMember) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Viewers cannot change sites.")
	}
	var v fleetwatch.Validation
	upd := fleetwatch.SiteUpdate{IsActive: in.IsActive}
	if in.URL != nil {
		u := checkSiteURL(&v, "/url", *in.URL)
		upd.URL = &u
	}
	if in.Name != nil {
		n := checkText(&v, "/name", "name", *in.Name, true, MaxNameLength)
		upd.Name = &n
	}
	if in.Description != nil {
		d := checkDescription(&v, "/description", *in.Description)
		upd.Description = &d
	}
	if in.OrganizationID != nil {
		v.Add("/organization_id", "a site cannot move to another organization")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	site, err = s.Store.UpdateSite(ctx, site.ID, upd, a.UserID)
	if err != nil {
		return nil, err
	}
	s.Platforms.Fill(ctx, site)
	return site, nil
}

// Delete soft-deletes a site; org admins and above.
func (s *Sites) Delete(ctx context.Context, uuid string) error {
	site, err := s.Get(ctx, uuid)
	if err != nil {
		return err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleOrgAdmin) {
		return fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins delete sites.")
	}
	if err := s.Store.DeleteSite(ctx, site.ID, a.UserID); err != nil {
		return err
	}
	s.Activity.Record(ctx, "site.deleted", "site", site.UUID, site.OrganizationID, map[string]any{"url": site.URL})
	return nil
}
