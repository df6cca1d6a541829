package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// SiteBody is the body of a site create or update.
type SiteBody struct {
	URL            *string `json:"url,omitempty" maxLength:"2048" doc:"The site's address, http or https"`
	Name           *string `json:"name,omitempty" maxLength:"200"`
	Description    *string `json:"description,omitempty" maxLength:"4000"`
	OrganizationID *string `json:"organization_id,omitempty" maxLength:"36" doc:"The owning organization's id; defaults to yours"`
	IsActive       *bool   `json:"is_active,omitempty"`
}

func (b SiteBody) input() service.SiteInput {
	return service.SiteInput{URL: b.URL, Name: b.Name, Description: b.Description, OrganizationID: b.OrganizationID, IsActive: b.IsActive}
}

type listSitesInput struct {
	ListParams
	OrganizationID string `query:"organization_id" format:"uuid"`
	IsActive       string `query:"is_active" enum:"true,false"`
	URL            string `query:"url" maxLength:"2048" doc:"Exact site address"`
}

type createSiteInput struct {
	Body SiteBody
}

type updateSiteInput struct {
	IDPath
	Body SiteBody
}

func (s *Server) registerSiteRoutes() {
	tags := []string{"sites"}
	register(s, huma.Operation{
		OperationID: "list-sites", Method: http.MethodGet, Path: Prefix + "/sites", Tags: tags,
		Summary: "List sites",
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listSitesInput) (*Many[*fleetwatch.Site], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.SiteSortFields, fleetwatch.SortField{Field: "name"})
		if err != nil {
			return nil, err
		}
		items, total, err := s.Sites.List(ctx, fleetwatch.SiteFilter{ListOptions: opts, IsActive: boolParam(in.IsActive), URL: in.URL}, in.OrganizationID)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "create-site", Method: http.MethodPost, Path: Prefix + "/sites", Tags: tags,
		Summary: "Register a site", DefaultStatus: http.StatusCreated, MaxBodyBytes: 64 << 10,
	}, fleetwatch.RoleMember, func(ctx context.Context, in *createSiteInput) (*One[*fleetwatch.Site], error) {
		site, err := s.Sites.Create(ctx, in.Body.input())
		if err != nil {
			return nil, err
		}
		return one(site), nil
	})
	register(s, huma.Operation{
		OperationID: "get-site", Method: http.MethodGet, Path: Prefix + "/sites/{id}", Tags: tags,
		Summary: "Get a site", Description: "The site, with `platforms`: the PHP and Drupal core it last reported, judged against their end of life.", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.Site], error) {
		site, err := s.Sites.Show(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return one(site), nil
	})
	register(s, huma.Operation{
		OperationID: "update-site", Method: http.MethodPatch, Path: Prefix + "/sites/{id}", Tags: tags,
		Summary: "Change a site", MaxBodyBytes: 64 << 10, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleMember, func(ctx context.Context, in *updateSiteInput) (*One[*fleetwatch.Site], error) {
		site, err := s.Sites.Update(ctx, in.ID, in.Body.input())
		if err != nil {
			return nil, err
		}
		return one(site), nil
	})
	register(s, huma.Operation{
		OperationID: "delete-site", Method: http.MethodDelete, Path: Prefix + "/sites/{id}", Tags: tags,
		Summary: "Delete a site (soft delete)", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, s.Sites.Delete(ctx, in.ID)
	})
}
