package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// SLAPolicyBody is the body of a policy change.
type SLAPolicyBody struct {
	Deadlines  fleetwatch.SLADeadlineDays `json:"deadlines" doc:"Days to patch, per severity"`
	ClockStart string                     `json:"clock_start,omitempty" enum:"published,detected" doc:"Default published"`
}

type putSLAPolicyInput struct {
	IDPath
	Body SLAPolicyBody
}

func (s *Server) registerSLARoutes() {
	tags := []string{"organizations"}
	register(s, huma.Operation{
		OperationID: "get-sla-policy", Method: http.MethodGet, Path: Prefix + "/organizations/{id}/sla-policy", Tags: tags,
		Summary:     "The organization's SLA policy in force",
		Description: "The defaults (1, 3, 7, 30 and 90 days from publication; version 0) until an org admin sets one.",
		Errors:      []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.SLAPolicy], error) {
		return wrap(s.SLA.Get(ctx, in.ID))
	})
	register(s, huma.Operation{
		OperationID: "put-sla-policy", Method: http.MethodPut, Path: Prefix + "/organizations/{id}/sla-policy", Tags: tags,
		Summary:      "Replace the organization's SLA policy (a new version)",
		Description:  "Each change is a new version, recorded in the activity trail; open exposures' due dates follow it, resolved ones keep their outcome.",
		MaxBodyBytes: 16 << 10, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *putSLAPolicyInput) (*One[*fleetwatch.SLAPolicy], error) {
		return wrap(s.SLA.Put(ctx, in.ID, service.SLAPolicyInput{Deadlines: in.Body.Deadlines, ClockStart: in.Body.ClockStart}))
	})
	register(s, huma.Operation{
		OperationID: "list-sla-policy-versions", Method: http.MethodGet, Path: Prefix + "/organizations/{id}/sla-policy/versions", Tags: tags,
		Summary: "Every saved version of the organization's SLA policy, newest first", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[[]*fleetwatch.SLAPolicy], error) {
		return wrap(s.SLA.Versions(ctx, in.ID))
	})
}
