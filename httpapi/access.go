package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
)

// Access levels of operations besides the roles.
const (
	// AccessPublic marks an operation that needs no credentials.
	AccessPublic = "public"
	// AccessSite marks an ingest operation: only a site key may call it.
	AccessSite = "site_key"
)

// accessExtension is the OpenAPI extension that records the least role an
// operation needs; the authentication middleware enforces it, in one place.
const accessExtension = "x-min-role"

// register adds an operation that needs at least minRole (or AccessPublic),
// turning service errors into the API's error shape. A list asked for as
// CSV answers every matching row (see export).
func register[I, O any](s *Server, op huma.Operation, minRole string, h func(context.Context, *I) (*O, error)) {
	if op.Extensions == nil {
		op.Extensions = map[string]any{}
	}
	op.Extensions[accessExtension] = minRole
	if minRole != AccessPublic {
		op.Security = []map[string][]string{{"bearer": {}}, {"apiKey": {}}}
		op.Errors = append(op.Errors, http.StatusUnauthorized, http.StatusForbidden)
	}
	op.Errors = append(op.Errors, http.StatusUnprocessableEntity)
	huma.Register(s.api, op, func(ctx context.Context, in *I) (*O, error) {
		out, exported, err := export(s, ctx, in, h)
		if !exported {
			out, err = h(ctx, in)
		}
		if err != nil {
			return nil, s.Problem(ctx, err)
		}
		return out, nil
	})
}

// MinRole returns the least role an operation needs, or AccessPublic.
func MinRole(op *huma.Operation) string {
	role, _ := op.Extensions[accessExtension].(string)
	return role
}

// authenticate resolves the caller's credentials into an actor and checks the
// operation's least role.
func (s *Server) authenticate(hctx huma.Context, next func(huma.Context)) {
	op := hctx.Operation()
	minRole := MinRole(op)
	if minRole == AccessPublic {
		next(hctx)
		return
	}
	ctx := hctx.Context()
	ri := requestInfoFrom(ctx)
	token := bearerToken(hctx.Header("Authorization"))
	if token == "" {
		token = strings.TrimSpace(hctx.Header("X-API-Key"))
	}
	if token == "" {
		s.writeHumaError(hctx, newError(ctx, http.StatusUnauthorized, fleetwatch.EUNAUTHORIZED, "Authentication required: send Authorization: Bearer <token>."))
		return
	}
	authenticate := s.Auth.Authenticate
	if minRole == AccessSite {
		authenticate = s.Auth.AuthenticatePush
	}
	a, err := authenticate(ctx, token, ri.remoteAddr)
	if err != nil {
		s.writeHumaError(hctx, s.Problem(ctx, err).(*ErrorResponse))
		return
	}
	switch {
	case minRole == AccessSite && a.SiteID == 0:
		s.writeHumaError(hctx, newError(ctx, http.StatusForbidden, fleetwatch.EFORBIDDEN, "This route takes a site key (fwk_…)."))
		return
	case minRole != AccessSite && a.SiteID != 0:
		s.writeHumaError(hctx, newError(ctx, http.StatusForbidden, fleetwatch.EFORBIDDEN, "A site key may only push for its site."))
		return
	case minRole != AccessSite && !a.Can(minRole):
		s.writeHumaError(hctx, newError(ctx, http.StatusForbidden, fleetwatch.EFORBIDDEN, "Your role ("+a.Role+") may not do this; it needs "+minRole+" or above."))
		return
	}
	next(huma.WithContext(hctx, fleetwatch.NewContextWithActor(ctx, a)))
}

func bearerToken(h string) string {
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

func (s *Server) writeHumaError(hctx huma.Context, resp *ErrorResponse) {
	for k, v := range resp.GetHeaders() {
		for _, vv := range v {
			hctx.AppendHeader(k, vv)
		}
	}
	hctx.SetHeader("Content-Type", "application/json")
	hctx.SetStatus(resp.status)
	_ = json.NewEncoder(hctx.BodyWriter()).Encode(resp)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
