package service

import (
	"context"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// ModulesStore is what Modules needs of the database: the module catalog,
// history and the patch runs that brought its changes. The fleetwatch store interfaces document each method and its
// errors.
type ModulesStore interface {
	FindHistory(ctx context.Context, f fleetwatch.HistoryFilter) ([]*fleetwatch.HistoryEntry, int, error)
	FindSiteChanges(ctx context.Context, f fleetwatch.SiteChangeFilter) ([]*fleetwatch.SiteChange, int, error)
	FindPatchRuns(ctx context.Context, f fleetwatch.PatchRunFilter) ([]*fleetwatch.PatchRun, int, error)
	FindModule(ctx context.Context, name string, organizationID int64) (*fleetwatch.Module, error)
	FindModules(ctx context.Context, f fleetwatch.ModuleFilter) ([]*fleetwatch.Module, int, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindSiteModules(ctx context.Context, f fleetwatch.SiteModuleFilter) ([]*fleetwatch.SiteModule, int, error)
	FindSiteModulesStamp(ctx context.Context, siteUUID string) (*fleetwatch.SiteModulesStamp, error)
}

// Modules reads what sites run: the catalog, each site's current modules
// and their history. A user outside an organization sees none of its
// sites, and none of the projects only its sites run.
type Modules struct {
	Store ModulesStore
	Sites *Sites
	Now   func() time.Time
}

var errModuleNotFound = fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Module not found.")

// List returns the catalog the actor may see: every project for an admin,
// else the projects their organization's sites run.
func (s *Modules) List(ctx context.Context, f fleetwatch.ModuleFilter, orgUUID string) ([]*fleetwatch.Module, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, orgUUID)
	if err != nil || !visible {
		return []*fleetwatch.Module{}, 0, err
	}
	f.OrganizationID = orgID
	return s.Store.FindModules(ctx, f)
}

// ListFleet returns the (site, project) pairs of every site the actor may
// see (of one organization when orgUUID is set, ENOTFOUND when the actor
// may not see it), filtered: the fleet-wide list of what needs an update.
func (s *Modules) ListFleet(ctx context.Context, f fleetwatch.SiteModuleFilter, orgUUID string) ([]*fleetwatch.SiteModule, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, orgUUID)
	if err != nil {
		return nil, 0, err
	}
	if !visible {
		if orgUUID != "" {
			return nil, 0, errOrganizationNotFound
		}
		return []*fleetwatch.SiteModule{}, 0, nil
	}
	f.SiteID, f.Module, f.OrganizationID = 0, "", orgID
	return s.Store.FindSiteModules(ctx, f)
}

// Get returns one project with the versions the actor's sites run.
func (s *Modules) Get(ctx context.Context, name string) (*fleetwatch.Module, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if a.ScopeOrganization() == 0 && !a.IsAdmin() {
		return nil, errModuleNotFound
	}
	return s.Store.FindModule(ctx, name, a.ScopeOrganization())
}

// Sites returns the sites the actor may see that run the project.
func (s *Modules) ListSites(ctx context.Context, name string, f fleetwatch.SiteModuleFilter) ([]*fleetwatch.SiteModule, int, error) {
	if _, err := s.Get(ctx, name); err != nil {
		return nil, 0, err
	}
	f.Module = name
	f.OrganizationID = fleetwatch.ActorFromContext(ctx).ScopeOrganization()
	return s.Store.FindSiteModules(ctx, f)
}

// SiteModulesStamp returns the state of a visible site's module list, in
// one indexed read: a page built for an equal stamp (and equal parameters)
// is the page ListForStamp would read now, so callers may serve it again.
func (s *Modules) SiteModulesStamp(ctx context.Context, siteUUID string) (*fleetwatch.SiteModulesStamp, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.Store.FindSiteModulesStamp(ctx, siteUUID)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && st.OrganizationID != a.OrganizationID {
		return nil, errSiteNotFound
	}
	return st, nil
}

// ListForStamp returns the projects of the site of a stamp that
// SiteModulesStamp returned (so the site is visible to the actor).
func (s *Modules) ListForStamp(ctx context.Context, st *fleetwatch.SiteModulesStamp, f fleetwatch.SiteModuleFilter) ([]*fleetwatch.SiteModule, int, error) {
	f.SiteID = st.SiteID
	return s.Store.FindSiteModules(ctx, f)
}

// History returns what a visible site ran at the time at (zero: now).
func (s *Modules) History(ctx context.Context, siteUUID string, f fleetwatch.HistoryFilter) ([]*fleetwatch.HistoryEntry, int, error) {
	site, err := s.Sites.Get(ctx, siteUUID)
	if err != nil {
		return nil, 0, err
	}
	f.SiteID = site.ID
	if f.At.IsZero() {
		f.At = time.Now()
		if s.Now != nil {
			f.At = s.Now()
		}
	}
	return s.Store.FindHistory(ctx, f)
}
