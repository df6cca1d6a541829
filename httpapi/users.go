package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// UserBody is the body of a user create or update.
type UserBody struct {
	Name           *string `json:"name,omitempty" maxLength:"200"`
	Email          *string `json:"email,omitempty" maxLength:"254"`
	Password       *string `json:"password,omitempty" maxLength:"1024" doc:"Only on create; 8 to 72 bytes"`
	Role           *string `json:"role,omitempty" enum:"admin,org_admin,member,viewer"`
	OrganizationID *string `json:"organization_id,omitempty" maxLength:"36" doc:"The organization's id; defaults to yours"`
	IsActive       *bool   `json:"is_active,omitempty"`
	// CurrentPassword confirms a change of one's own e-mail address.
	CurrentPassword *string `json:"current_password,omitempty" maxLength:"1024" doc:"Your current password: required to change your own e-mail address"`
}

func (b UserBody) input() service.UserInput {
	return service.UserInput{Name: b.Name, Email: b.Email, Password: b.Password, Role: b.Role, OrganizationID: b.OrganizationID, IsActive: b.IsActive,
		CurrentPassword: b.CurrentPassword}
}

type listUsersInput struct {
	ListParams
	OrganizationID string `query:"organization_id" format:"uuid"`
	Role           string `query:"role" enum:"admin,org_admin,member,viewer"`
	IsActive       string `query:"is_active" enum:"true,false"`
	Email          string `query:"email" maxLength:"254"`
}

type createUserInput struct {
	Body UserBody
}

type updateUserInput struct {
	IDPath
	Body UserBody
}

func (s *Server) registerUserRoutes() {
	tags := []string{"users"}
	register(s, huma.Operation{
		OperationID: "list-users", Method: http.MethodGet, Path: Prefix + "/users", Tags: tags,
		Summary: "List users",
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *listUsersInput) (*Many[*fleetwatch.User], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.UserSortFields, fleetwatch.SortField{Field: "name"})
		if err != nil {
			return nil, err
		}
		f := fleetwatch.UserFilter{ListOptions: opts, Role: in.Role, IsActive: boolParam(in.IsActive), Email: in.Email}
		items, total, err := s.Users.List(ctx, f, in.OrganizationID)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "create-user", Method: http.MethodPost, Path: Prefix + "/users", Tags: tags,
		Summary: "Create a user", DefaultStatus: http.StatusCreated, MaxBodyBytes: 64 << 10,
		Errors: []int{http.StatusConflict},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *createUserInput) (*One[*fleetwatch.User], error) {
		u, err := s.Users.Create(ctx, in.Body.input())
		if err != nil {
			return nil, err
		}
		return one(u), nil
	})
	register(s, huma.Operation{
		OperationID: "get-user", Method: http.MethodGet, Path: Prefix + "/users/{id}", Tags: tags,
		Summary: "Get a user", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.User], error) {
		u, err := s.Users.Get(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return one(u), nil
	})
	register(s, huma.Operation{
		OperationID: "update-user", Method: http.MethodPatch, Path: Prefix + "/users/{id}", Tags: tags,
		Summary: "Change a user: name, e-mail, role, activation", MaxBodyBytes: 64 << 10,
		Description: "Changing your own e-mail address needs `current_password`. Deactivating a user ends all their sessions.",
		Errors:      []int{http.StatusNotFound, http.StatusConflict, http.StatusTooManyRequests},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *updateUserInput) (*One[*fleetwatch.User], error) {
		u, err := s.Users.Update(ctx, in.ID, in.Body.input())
		if err != nil {
			return nil, err
		}
		return one(u), nil
	})
	register(s, huma.Operation{
		OperationID: "delete-user", Method: http.MethodDelete, Path: Prefix + "/users/{id}", Tags: tags,
		Summary: "Delete a user (soft delete)", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, s.Users.Delete(ctx, in.ID)
	})
}
