package service

import (
	"context"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// ExposuresStore is what Exposures needs of the database: exposures. The
// fleetwatch store interfaces document each method and its errors.
type ExposuresStore interface {
	FindAcceptedUntil(ctx context.Context, exposureIDs []int64, at time.Time) (map[int64]time.Time, error)
	FindExposureByUUID(ctx context.Context, uuid string) (*fleetwatch.Exposure, error)
	FindExposures(ctx context.Context, f fleetwatch.ExposureFilter) ([]*fleetwatch.Exposure, int, error)
	FindModule(ctx context.Context, name string, organizationID int64) (*fleetwatch.Module, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindReleaseInfos(ctx context.Context, project string, organizationID int64) ([]*fleetwatch.ReleaseInfo, error)
	FindSiteByID(ctx context.Context, id int64) (*fleetwatch.Site, error)
	FindSiteByUUID(ctx context.Context, uuid string) (*fleetwatch.Site, error)
}

// Exposures answers questions about outstanding and past security updates.
type Exposures struct {
	Store ExposuresStore
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// ExposureQuery holds the filters of a list request, as received.
type ExposureQuery struct {
	OrganizationID string // uuid
	SiteID         string // uuid
	Project        string
	Severity       string
	State          string
	// Overdue and Accepted are "true", "false" or "" (either).
	Overdue  string
	Accepted string
}

var errExposureNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Exposure not found.")

func (s *Exposures) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// List returns the exposures the actor may see: their organization's, all
// for an admin. A site or organization of another organization matches
// nothing, as if it did not exist.
func (s *Exposures) List(ctx context.Context, opts fleetwatch.ListOptions, q ExposureQuery) ([]*fleetwatch.Exposure, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	var v fleetwatch.Validation
	if q.Severity != "" && fleetwatch.SeverityRank(q.Severity) == 0 {
		v.AddParam("severity", "severity must be one of highly_critical, critical, moderately_critical, less_critical, not_critical")
	}
	if q.State != "" && q.State != fleetwatch.ExposureOpen && q.State != fleetwatch.ExposureResolved {
		v.AddParam("state", "state must be open or resolved")
	}
	if q.Project != "" && !validProjectName(q.Project) {
		v.AddParam("project", "project must be a project machine name")
	}
	overdue, okOverdue := optionalBool(q.Overdue)
	if !okOverdue {
		v.AddParam("overdue", "overdue must be true or false")
	}
	accepted, okAccepted := optionalBool(q.Accepted)
	if !okAccepted {
		v.AddParam("accepted", "accepted must be true or false")
	}
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, q.OrganizationID)
	if err != nil || !visible {
		return []*fleetwatch.Exposure{}, 0, err
	}
	f := fleetwatch.ExposureFilter{ListOptions: opts, OrganizationID: orgID, Project: q.Project, Severity: q.Severity, State: q.State}
	if q.SiteID != "" {
		site, err := s.Store.FindSiteByUUID(ctx, q.SiteID)
		if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && !a.IsAdmin() && site.OrganizationID != a.OrganizationID) {
			return []*fleetwatch.Exposure{}, 0, nil
		} else if err != nil {
			return nil, 0, err
		}
		f.SiteID = site.ID
	}
	at := s.now()
	switch {
	case overdue == nil:
	case *overdue:
		f.OverdueAt = &at
	default:
		f.NotOverdueAt = &at
	}
	f.Accepted, f.AcceptedAt = accepted, at
	items, total, err := s.Store.FindExposures(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	if err := s.withAcceptances(ctx, items, at); err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// withAcceptances sets each exposure's SLA status at at and when the risk
// acceptance in force, if any, ends.
func (s *Exposures) withAcceptances(ctx context.Context, items []*fleetwatch.Exposure, at time.Time) error {
	ids := make([]int64, 0, len(items))
	for _, e := range items {
		e.SLAStatus = e.SLAStatusAt(at)
		if e.State == fleetwatch.ExposureOpen {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	until, err := s.Store.FindAcceptedUntil(ctx, ids, at)
	if err != nil {
		return err
	}
	for _, e := range items {
		if t, ok := until[e.ID]; ok {
			e.AcceptedUntil = &t
		}
	}
	return nil
}

// optionalBool reads "true", "false" or "" (nil); ok is false for anything else.
func optionalBool(s string) (v *bool, ok bool) {
	switch s {
	case "":
		return nil, true
	case "true", "false":
		b := s == "true"
		return &b, true
	}
	return nil, false
}

// Get returns an exposure of the actor's organization (any for an admin);
// ENOTFOUND for others.
func (s *Exposures) Get(ctx context.Context, uuid string) (*fleetwatch.Exposure, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.Store.FindExposureByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && e.OrganizationID != a.OrganizationID {
		return nil, errExposureNotFound
	}
	if err := s.withAcceptances(ctx, []*fleetwatch.Exposure{e}, s.now()); err != nil {
		return nil, err
	}
	return e, nil
}

// ModuleVersions returns the known releases of a project, newest first,
// with release types, flags, the advisory each security release fixes and
// how many of the actor's sites run each; ENOTFOUND for a project none of
// the actor's sites runs (any for an admin).
func (s *Exposures) ModuleVersions(ctx context.Context, name string) ([]*fleetwatch.ReleaseInfo, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.Store.FindModule(ctx, name, a.ScopeOrganization()); err != nil {
		return nil, err
	}
	return s.Store.FindReleaseInfos(ctx, name, a.ScopeOrganization())
}

// validProjectName reports whether s is a drupal.org project machine name
// (or a custom project's name of the same shape).
func validProjectName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// SiteStanding is what Fleetwatch sees outstanding for one site, as the
// site itself may read it with its key (a connector's status report).
type SiteStanding struct {
	SiteID          string     `json:"site_id" doc:"The site the key pushes for"`
	SiteName        string     `json:"site_name"`
	LastSeenAt      *time.Time `json:"last_seen_at" doc:"When the site's last inventory was applied; null before the first"`
	SecurityUpdates int        `json:"security_updates" doc:"Open exposures: the site's projects that need a security update"`
	PastDue         int        `json:"past_due" doc:"Of those, the ones open past their SLA deadline"`
	NearestDueAt    *time.Time `json:"nearest_due_at" doc:"The earliest deadline of the open exposures (in the past when one is past due); null when none is open"`
	NearestProject  string     `json:"nearest_project,omitempty" doc:"The project of that deadline"`
}

// SiteStanding answers the standing of the site whose key calls: its open
// exposures, how many are past due, and the nearest deadline. Only a site
// key may ask, and only for its own site.
func (s *Exposures) SiteStanding(ctx context.Context) (*SiteStanding, error) {
	a, err := siteActor(ctx)
	if err != nil {
		return nil, err
	}
	site, err := s.Store.FindSiteByID(ctx, a.SiteID)
	if err != nil {
		return nil, err
	}
	at := s.now()
	open := fleetwatch.ExposureFilter{ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 1, Sort: []fleetwatch.SortField{{Field: "due_at"}}},
		SiteID: site.ID, State: fleetwatch.ExposureOpen}
	first, total, err := s.Store.FindExposures(ctx, open)
	if err != nil {
		return nil, err
	}
	st := &SiteStanding{SiteID: site.UUID, SiteName: site.Name, LastSeenAt: site.LastSeenAt, SecurityUpdates: total}
	if len(first) > 0 {
		due := first[0].DueAt.UTC()
		st.NearestDueAt, st.NearestProject = &due, first[0].Project
	}
	if total > 0 {
		open.OverdueAt = &at
		if _, st.PastDue, err = s.Store.FindExposures(ctx, open); err != nil {
			return nil, err
		}
	}
	return st, nil
}
