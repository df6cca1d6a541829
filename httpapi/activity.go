package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

type listActivityInput struct {
	ListParams
	OrganizationID string `query:"organization_id" format:"uuid"`
	Action         string `query:"action" maxLength:"100" doc:"Exact action, such as user.login_failed"`
}

func (s *Server) registerActivityRoutes() {
	register(s, huma.Operation{
		OperationID: "list-activity", Method: http.MethodGet, Path: Prefix + "/activity", Tags: []string{"activity"},
		Summary: "Who did what, when, from where",
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *listActivityInput) (*Many[*fleetwatch.ActivityLog], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.ActivitySortFields, fleetwatch.SortField{Field: "created_at", Desc: true})
		if err != nil {
			return nil, err
		}
		f := fleetwatch.ActivityFilter{ListOptions: opts, Action: in.Action}
		items, total, err := s.Activity.List(ctx, f, in.OrganizationID)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
}
