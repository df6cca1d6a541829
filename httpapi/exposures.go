package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

type listExposuresInput struct {
	ListParams
	OrganizationID string `query:"organization_id" format:"uuid"`
	SiteID         string `query:"site_id" format:"uuid"`
	Project        string `query:"project" maxLength:"128" doc:"A project's machine name"`
	Severity       string `query:"severity" enum:"highly_critical,critical,moderately_critical,less_critical,not_critical"`
	State          string `query:"state" enum:"open,resolved"`
	Overdue        string `query:"overdue" enum:"true,false" doc:"true: only those open past their due date, or resolved after it; false: the others"`
	Accepted       string `query:"accepted" enum:"true,false" doc:"true: only those under a risk acceptance in force (accepted_until is set); false: the others"`
}

func (s *Server) registerExposureRoutes() {
	tags := []string{"exposures"}
	register(s, huma.Operation{
		OperationID: "list-exposures", Method: http.MethodGet, Path: Prefix + "/exposures", Tags: tags,
		Summary:     "List security exposures",
		Description: "An exposure is open exactly while a site's project needs a security update; due_at comes from the SLA deadline of its severity.",
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listExposuresInput) (*Many[*fleetwatch.Exposure], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.ExposureSortFields, fleetwatch.SortField{Field: "due_at"})
		if err != nil {
			return nil, err
		}
		items, total, err := s.Exposures.List(ctx, opts, service.ExposureQuery{OrganizationID: in.OrganizationID,
			SiteID: in.SiteID, Project: in.Project, Severity: in.Severity, State: in.State, Overdue: in.Overdue, Accepted: in.Accepted})
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
	register(s, huma.Operation{
		OperationID: "get-exposure", Method: http.MethodGet, Path: Prefix + "/exposures/{id}", Tags: tags,
		Summary: "Get a security exposure", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.Exposure], error) {
		e, err := s.Exposures.Get(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		return one(e), nil
	})
}
