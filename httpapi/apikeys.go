package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

type createSiteKeyInput struct {
	IDPath
	Body struct {
		Name string `json:"name" maxLength:"200" doc:"What the key is for, such as the host that pushes"`
	}
}

type createIntegrationKeyInput struct {
	IDPath
	Body struct {
		Name  string `json:"name" maxLength:"200"`
		Scope string `json:"scope" enum:"read,write" doc:"read acts as a viewer, write as a member"`
	}
}

type listKeysInput struct {
	IDPath
	ListParams
}

type keyPath struct {
	IDPath
	KeyID string `path:"key_id" format:"uuid"`
}

func (s *Server) registerAPIKeyRoutes() {
	tags := []string{"api-keys"}
	register(s, huma.Operation{
		OperationID: "create-site-api-key", Method: http.MethodPost, Path: Prefix + "/sites/{id}/api-keys", Tags: tags,
		Summary: "Create a site key (fwk_…) that pushes for this site; the key is shown once", DefaultStatus: http.StatusCreated,
		MaxBodyBytes: 16 << 10, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleMember, func(ctx context.Context, in *createSiteKeyInput) (*One[*service.CreatedAPIKey], error) {
		return wrap(s.APIKeys.CreateSiteKey(ctx, in.ID, service.APIKeyInput{Name: in.Body.Name}))
	})
	register(s, huma.Operation{
		OperationID: "list-site-api-keys", Method: http.MethodGet, Path: Prefix + "/sites/{id}/api-keys", Tags: tags,
		Summary: "List a site's keys", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listKeysInput) (*Many[*fleetwatch.APIKey], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.APIKeySortFields, fleetwatch.SortField{Field: "created_at", Desc: true})
		if err != nil {
			return nil, err
		}
		items, total, err := s.APIKeys.ListSiteKeys(ctx, in.ID, opts)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "revoke-site-api-key", Method: http.MethodDelete, Path: Prefix + "/sites/{id}/api-keys/{key_id}", Tags: tags,
		Summary: "Revoke a site key", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleMember, func(ctx context.Context, in *keyPath) (*struct{}, error) {
		return nil, s.APIKeys.RevokeSiteKey(ctx, in.ID, in.KeyID)
	})
	register(s, huma.Operation{
		OperationID: "create-integration-api-key", Method: http.MethodPost, Path: Prefix + "/organizations/{id}/api-keys", Tags: tags,
		Summary: "Create an integration key (fwi_…) that acts for the organization; the key is shown once", DefaultStatus: http.StatusCreated,
		MaxBodyBytes: 16 << 10, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *createIntegrationKeyInput) (*One[*service.CreatedAPIKey], error) {
		return wrap(s.APIKeys.CreateIntegrationKey(ctx, in.ID, service.APIKeyInput{Name: in.Body.Name, Scope: in.Body.Scope}))
	})
	register(s, huma.Operation{
		OperationID: "list-integration-api-keys", Method: http.MethodGet, Path: Prefix + "/organizations/{id}/api-keys", Tags: tags,
		Summary: "List an organization's integration keys", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *listKeysInput) (*Many[*fleetwatch.APIKey], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.APIKeySortFields, fleetwatch.SortField{Field: "created_at", Desc: true})
		if err != nil {
			return nil, err
		}
		items, total, err := s.APIKeys.ListIntegrationKeys(ctx, in.ID, opts)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "revoke-integration-api-key", Method: http.MethodDelete, Path: Prefix + "/organizations/{id}/api-keys/{key_id}", Tags: tags,
		Summary: "Revoke an integration key", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *keyPath) (*struct{}, error) {
		return nil, s.APIKeys.RevokeIntegrationKey(ctx, in.ID, in.KeyID)
	})
}
