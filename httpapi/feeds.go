package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

type moduleVersionsInput struct {
	Name string `path:"name" maxLength:"128" doc:"The project's machine name"`
}

func (s *Server) registerFeedRoutes() {
	register(s, huma.Operation{
		OperationID: "list-module-versions", Method: http.MethodGet, Path: Prefix + "/modules/{name}/versions", Tags: []string{"modules"},
		Summary:     "List a project's releases",
		Description: "The releases drupal.org's release history lists (and versions sites reported), newest first, with release types, flags, the advisory and severity each security release fixes, and how many of your sites run each.",
		Errors:      []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *moduleVersionsInput) (*One[[]*fleetwatch.ReleaseInfo], error) {
		items, err := s.Exposures.ModuleVersions(ctx, in.Name)
		if err != nil {
			return nil, err
		}
		if items == nil {
			items = []*fleetwatch.ReleaseInfo{}
		}
		return one(items), nil
	})
	register(s, huma.Operation{
		OperationID: "refresh-feeds", Method: http.MethodPost, Path: Prefix + "/admin/feeds/refresh", Tags: []string{"admin"},
		Summary:     "Refresh advisories and release feeds now",
		Description: "Fetches the advisories and the release history of every project the fleet runs (conditionally), and recomputes the sites of every project whose feed changed. Platform admins only.",
	}, fleetwatch.RoleAdmin, func(ctx context.Context, in *struct{}) (*One[service.RefreshResult], error) {
		res, err := s.Feeds.Refresh(ctx)
		if err != nil {
			return nil, err
		}
		if res.Changed == nil {
			res.Changed = []string{}
		}
		if res.Failed == nil {
			res.Failed = []string{}
		}
		return one(res), nil
	})
}
