package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

type listAuditLogsInput struct {
	ListParams
	OrganizationID string `query:"organization_id" format:"uuid"`
	SiteID         string `query:"site_id" format:"uuid"`
	Status         string `query:"status" enum:"queued,processing,processed,failed,duplicate"`
	Kind           string `query:"kind" enum:"inventory,composer_lock,patch_run"`
}

func (s *Server) registerAuditLogRoutes() {
	tags := []string{"audit-logs"}
	register(s, huma.Operation{
		OperationID: "list-audit-logs", Method: http.MethodGet, Path: Prefix + "/audit-logs", Tags: tags,
		Summary: "List the ingest log: every payload sites pushed, and what became of it",
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listAuditLogsInput) (*Many[*fleetwatch.AuditLog], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.AuditLogSortFields, fleetwatch.SortField{Field: "created_at", Desc: true})
		if err != nil {
			return nil, err
		}
		items, total, err := s.Ingest.ListAuditLogs(ctx, fleetwatch.AuditLogFilter{ListOptions: opts, Status: in.Status, Kind: in.Kind}, in.OrganizationID, in.SiteID)
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "get-audit-log", Method: http.MethodGet, Path: Prefix + "/audit-logs/{id}", Tags: tags,
		Summary: "Get one entry of the ingest log", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.AuditLog], error) {
		return wrap(s.Ingest.GetAuditLog(ctx, in.ID))
	})
	register(s, huma.Operation{
		OperationID: "retry-audit-log", Method: http.MethodPost, Path: Prefix + "/audit-logs/{id}/retry", Tags: tags,
		Summary: "Queue a failed payload again", Errors: []int{http.StatusNotFound, http.StatusConflict},
	}, fleetwatch.RoleMember, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.AuditLog], error) {
		return wrap(s.Ingest.RetryAuditLog(ctx, in.ID))
	})
}
