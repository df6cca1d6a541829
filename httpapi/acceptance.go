package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
)

type acceptInput struct {
	IDPath
	Body struct {
		Justification string    `json:"justification" maxLength:"2000" doc:"Why the team lives with this risk for now"`
		ExpiresAt     time.Time `json:"expires_at" doc:"When the acceptance ends and the SLA clock runs again (at most a year)"`
	}
}

func (s *Server) registerAcceptanceRoutes() {
	tags := []string{"exposures"}
	register(s, huma.Operation{
		OperationID: "accept-exposure", Method: http.MethodPost, Path: Prefix + "/exposures/{id}/acceptance", Tags: tags,
		Summary: "Accept the risk of an open exposure until a date; its SLA clock pauses meanwhile", DefaultStatus: http.StatusCreated,
		MaxBodyBytes: 16 << 10, Errors: []int{http.StatusNotFound, http.StatusConflict},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *acceptInput) (*One[*fleetwatch.Acceptance], error) {
		return wrap(s.Acceptances.Accept(ctx, in.ID, in.Body.Justification, in.Body.ExpiresAt))
	})
	register(s, huma.Operation{
		OperationID: "get-exposure-acceptance", Method: http.MethodGet, Path: Prefix + "/exposures/{id}/acceptance", Tags: tags,
		Summary: "The acceptance in force on an exposure", Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.Acceptance], error) {
		return wrap(s.Acceptances.Get(ctx, in.ID))
	})
	register(s, huma.Operation{
		OperationID: "revoke-exposure-acceptance", Method: http.MethodDelete, Path: Prefix + "/exposures/{id}/acceptance", Tags: tags,
		Summary: "End an acceptance early; the SLA clock runs again", DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound},
	}, fleetwatch.RoleOrgAdmin, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, s.Acceptances.Revoke(ctx, in.ID)
	})
}
