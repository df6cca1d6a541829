package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

type listModulesInput struct {
	ListParams
	OrganizationID string `query:"organization_id" format:"uuid"`
	Type           string `query:"type" enum:"core,module,theme,profile,library"`
	Source         string `query:"source" enum:"drupal.org,custom,packagist"`
}

// ModulePath addresses a project by name.
type ModulePath struct {
	Name string `path:"name" maxLength:"128" doc:"The project's machine name"`
}

// SiteModuleParams filter a list of site modules.
type SiteModuleParams struct {
	ListParams
	Type            string `query:"type" enum:"core,module,theme,profile,library"`
	Status          string `query:"status" enum:"current,not_current,not_secure,revoked,not_supported,unknown"`
	UpdateAvailable string `query:"update_available" enum:"true,false"`
	SecurityUpdate  string `query:"security_update" enum:"true,false"`
}

func (p SiteModuleParams) filter() (fleetwatch.SiteModuleFilter, error) {
	opts, err := service.ListOptions(p.Page, p.PerPage, p.Sort, p.Q, fleetwatch.SiteModuleSortFields)
	if err != nil {
		return fleetwatch.SiteModuleFilter{}, err
	}
	return fleetwatch.SiteModuleFilter{ListOptions: opts, Type: p.Type, Status: p.Status,
		UpdateAvailable: boolParam(p.UpdateAvailable), SecurityUpdate: boolParam(p.SecurityUpdate)}, nil
}

type listSiteModulesInput struct {
	IDPath
	SiteModuleParams
}

type listModuleSitesInput struct {
	ModulePath
	SiteModuleParams
}

type listFleetSiteModulesInput struct {
	SiteModuleParams
	OrganizationID string `query:"organization_id" format:"uuid" doc:"Only this organization's sites"`
}

type siteHistoryInput struct {
	IDPath
	ListParams
	At time.Time `query:"at" doc:"The moment to look at (RFC 3339); default now"`
}

type listSiteChangesInput struct {
	IDPath
	ListParams
	Module string    `query:"module" maxLength:"128" doc:"Only the changes of this project"`
	Since  time.Time `query:"since" doc:"Only changes at or after this time (RFC 3339)"`
	Until  time.Time `query:"until" doc:"Only changes before this time (RFC 3339)"`
}

func (s *Server) registerModuleRoutes() {
	tags := []string{"modules"}
	register(s, huma.Operation{
		OperationID: "list-modules", Method: http.MethodGet, Path: Prefix + "/modules", Tags: tags,
		Summary: "List the projects your sites run",
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listModulesInput) (*Many[*fleetwatch.Module], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.ModuleSortFields, fleetwatch.SortField{Field: "name"})
		if err != nil {
			return nil, err
		}
		items, total, err := s.Modules.List(ctx, fleetwatch.ModuleFilter{ListOptions: opts, Type: in.Type, Source: in.Source}, in.OrganizationID)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "list-fleet-site-modules", Method: http.MethodGet, Path: Prefix + "/site-modules", Tags: tags,
		Summary: "List what every site you can see runs, one row per site and project (update_available=true&security_update=false: the non-security updates of the fleet)",
		Errors:  []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listFleetSiteModulesInput) (*Many[*fleetwatch.SiteModule], error) {
		f, err := in.filter()
		if err != nil {
			return nil, err
		}
		items, total, err := s.Modules.ListFleet(ctx, f, in.OrganizationID)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "get-module", Method: http.MethodGet, Path: Prefix + "/modules/{name}", Tags: tags,
		Summary: "Get a project, with the versions your sites run", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *ModulePath) (*One[*fleetwatch.Module], error) {
		return wrap(s.Modules.Get(ctx, in.Name))
	})
	register(s, huma.Operation{
		OperationID: "list-module-sites", Method: http.MethodGet, Path: Prefix + "/modules/{name}/sites", Tags: tags,
		Summary: "List the sites that run a project", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listModuleSitesInput) (*Many[*fleetwatch.SiteModule], error) {
		f, err := in.filter()
		if err != nil {
			return nil, err
		}
		items, total, err := s.Modules.ListSites(ctx, in.Name, f)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "list-site-modules", Method: http.MethodGet, Path: Prefix + "/sites/{id}/modules", Tags: tags,
		Summary: "List the projects a site runs now", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, s.listSiteModules)
	register(s, huma.Operation{
		OperationID: "get-site-history", Method: http.MethodGet, Path: Prefix + "/sites/{id}/history", Tags: tags,
		Summary: "What a site ran at a given time", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *siteHistoryInput) (*Many[*fleetwatch.HistoryEntry], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.HistorySortFields, fleetwatch.SortField{Field: "name"})
		if err != nil {
			return nil, err
		}
		items, total, err := s.Modules.History(ctx, in.ID, fleetwatch.HistoryFilter{ListOptions: opts, At: in.At})
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "list-site-changes", Method: http.MethodGet, Path: Prefix + "/sites/{id}/changes", Tags: tags,
		Summary: "List the changes of what a site ran: project, from and to version, and the push or patch run that brought each",
		Errors:  []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listSiteChangesInput) (*Many[*fleetwatch.SiteChange], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.SiteChangeSortFields, fleetwatch.SortField{Field: "at", Desc: true})
		if err != nil {
			return nil, err
		}
		f := fleetwatch.SiteChangeFilter{ListOptions: opts, Module: in.Module, Since: in.Since, Until: in.Until}
		items, total, err := s.Modules.Changes(ctx, in.ID, f)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
}

// listSiteModules answers a site's module list, from the cache of encoded
// answers when the site's modules have not changed since (JSON only).
func (s *Server) listSiteModules(ctx context.Context, in *listSiteModulesInput) (*Many[*fleetwatch.SiteModule], error) {
	f, err := in.filter()
	if err != nil {
		return nil, err
	}
	st, err := s.Modules.SiteModulesStamp(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	ri := requestInfoFrom(ctx)
	cacheable := !ri.csv
	key := ""
	if cacheable {
		key = siteModulesKey(st, ri.url.RawQuery)
		if b, ok := s.siteModules.get(key); ok {
			return &Many[*fleetwatch.SiteModule]{Body: ListEnvelope[*fleetwatch.SiteModule]{raw: b}}, nil
		}
	}
	items, total, err := s.Modules.ListForStamp(ctx, st, f)
	if err != nil {
		return nil, err
	}
	out := listPage(s, ctx, items, total, in.ListParams)
	if cacheable {
		if b, err := encodeJSON(out.Body); err == nil {
			s.siteModules.put(key, b)
			out.Body.raw = b
		}
	}
	return out, nil
}
