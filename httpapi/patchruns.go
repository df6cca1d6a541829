package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// PatchRunFilterParams filter a list of patch runs.
type PatchRunFilterParams struct {
	ListParams
	Status string `query:"status" enum:"succeeded,failed,partial"`
	Tool   string `query:"tool" enum:"composer,drush,manual,automatic_updates"`
}

type listPatchRunsInput struct {
	PatchRunFilterParams
	OrganizationID string `query:"organization_id" format:"uuid"`
	SiteID         string `query:"site_id" format:"uuid"`
}

type listSitePatchRunsInput struct {
	IDPath
	PatchRunFilterParams
}

type recordPatchRunInput struct {
	IDPath
	Body service.PatchRunPayload
}

func (s *Server) listPatchRuns(ctx context.Context, p PatchRunFilterParams, orgUUID, siteUUID string) (*Many[*fleetwatch.PatchRun], error) {
	opts, err := service.ListOptions(p.Page, p.PerPage, p.Sort, p.Q, fleetwatch.PatchRunSortFields, fleetwatch.SortField{Field: "run_date", Desc: true})
	if err != nil {
		return nil, err
	}
	items, total, err := s.PatchRuns.List(ctx, fleetwatch.PatchRunFilter{ListOptions: opts, Status: p.Status, Tool: p.Tool}, orgUUID, siteUUID)
	if err != nil {
		return nil, err
	}
	return listPage(s, ctx, items, total, p.ListParams), nil
}

func (s *Server) registerPatchRunRoutes() {
	tags := []string{"patch-runs"}
	register(s, huma.Operation{
		OperationID: "list-patch-runs", Method: http.MethodGet, Path: Prefix + "/patch-runs", Tags: tags,
		Summary: "List patch runs",
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listPatchRunsInput) (*Many[*fleetwatch.PatchRun], error) {
		return s.listPatchRuns(ctx, in.PatchRunFilterParams, in.OrganizationID, in.SiteID)
	})
	register(s, huma.Operation{
		OperationID: "list-site-patch-runs", Method: http.MethodGet, Path: Prefix + "/sites/{id}/patch-runs", Tags: tags,
		Summary: "List a site's patch runs", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listSitePatchRunsInput) (*Many[*fleetwatch.PatchRun], error) {
		return s.listPatchRuns(ctx, in.PatchRunFilterParams, "", in.ID)
	})
	register(s, huma.Operation{
		OperationID: "record-patch-run", Method: http.MethodPost, Path: Prefix + "/sites/{id}/patch-runs", Tags: tags,
		Summary: "Record a patch run by hand", DefaultStatus: http.StatusCreated, MaxBodyBytes: service.MaxPayloadBytes,
		Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleMember, func(ctx context.Context, in *recordPatchRunInput) (*One[*fleetwatch.PatchRun], error) {
		return wrap(s.PatchRuns.Record(ctx, in.ID, in.Body))
	})
}
