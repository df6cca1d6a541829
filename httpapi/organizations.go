package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// IDPath is the path parameter of every single-resource route.
type IDPath struct {
	ID string `path:"id" format:"uuid" doc:"The resource's id (a UUID)"`
}

// OrganizationBody is the body of an organization create or update.
type OrganizationBody struct {
	Name     *string `json:"name,omitempty" maxLength:"200"`
	TaxID    *string `json:"tax_id,omitempty" maxLength:"64"`
	IsActive *bool   `json:"is_active,omitempty"`
}

func (b OrganizationBody) input() service.OrganizationInput {
	return service.OrganizationInput{Name: b.Name, TaxID: b.TaxID, IsActive: b.IsActive}
}

type listOrganizationsInput struct {
	ListParams
	IsActive string `query:"is_active" enum:"true,false" doc:"Only active (true) or inactive (false) organizations"`
}

type createOrganizationInput struct {
	Body OrganizationBody
}

type updateOrganizationInput struct {
	IDPath
	Body OrganizationBody
}

func (s *Server) registerOrganizationRoutes() {
	tags := []string{"organizations"}
	register(s, huma.Operation{
		OperationID: "list-organizations", Method: http.MethodGet, Path: Prefix + "/organizations", Tags: tags,
		Summary: "List organizations",
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listOrganizationsInput) (*Many[*fleetwatch.Organization], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.OrganizationSortFields, fleetwatch.SortField{Field: "name"})
		if err != nil {
			return nil, err
		}
		items, total, err := s.Organizations.List(ctx, fleetwatch.OrganizationFilter{ListOptions: opts, IsActive: boolParam(in.IsActive)})
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "create-organization", Method: http.MethodPost, Path: Prefix + "/organizations", Tags: tags,
		Summary: "Create an organization", DefaultStatus: http.StatusCreated, MaxBodyBytes: 64 << 10,
	}, fleetwatch.RoleAdmin, func(ctx context.Context, in *createOrganizationInput) (*One[*fleetwatch.Organization], error) {
		o, err := s.Organizations.Create(ctx, in.Body.input())
		if err != nil {
			return nil, err
		}
		return one(o), nil
	})
	register(s, huma.Operation{
		OperationID: "get-organization", Method: http.MethodGet, Path: Prefix + "/organizations/{id}", Tags: tags,
		Summary: "Get an organization", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.Organization], error) {
		o, err := s.Organizations.Get(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return one(o), nil
	})
	register(s, huma.Operation{
		OperationID: "update-organization", Method: http.MethodPatch, Path: Prefix + "/organizations/{id}", Tags: tags,
		Summary: "Change an organization", MaxBodyBytes: 64 << 10, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *updateOrganizationInput) (*One[*fleetwatch.Organization], error) {
		o, err := s.Organizations.Update(ctx, in.ID, in.Body.input())
		if err != nil {
			return nil, err
		}
		return one(o), nil
	})
	register(s, huma.Operation{
		OperationID: "delete-organization", Method: http.MethodDelete, Path: Prefix + "/organizations/{id}", Tags: tags,
		Summary: "Delete an organization with its sites and users (soft delete)", DefaultStatus: http.StatusNoContent,
		Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleAdmin, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, s.Organizations.Delete(ctx, in.ID)
	})
}

// boolParam turns an enum "true"/"false" query parameter into a filter.
func boolParam(s string) *bool {
	switch s {
	case "true":
		v := true
		return &v
	case "false":
		v := false
		return &v
	}
	return nil
}
