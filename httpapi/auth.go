package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// LoginInput is the body of a login.
type LoginInput struct {
	Body struct {
		Email    string `json:"email" maxLength:"254" doc:"The account's e-mail address"`
		Password string `json:"password" maxLength:"1024"`
	}
}

// MeInput is the body of a change to the signed-in user.
type MeInput struct {
	Body struct {
		Name string `json:"name" minLength:"1" maxLength:"200"`
	}
}

func (s *Server) registerAuthRoutes() {
	register(s, huma.Operation{
		OperationID: "login", Method: http.MethodPost, Path: Prefix + "/auth/login", Tags: []string{"auth"},
		Summary: "Sign in with e-mail and password", MaxBodyBytes: 16 << 10,
		Errors: []int{http.StatusUnauthorized, http.StatusTooManyRequests},
	}, AccessPublic, func(ctx context.Context, in *LoginInput) (*One[*service.Tokens], error) {
		t, err := s.Auth.Login(ctx, in.Body.Email, in.Body.Password, requestInfoFrom(ctx).remoteAddr)
		if err != nil {
			return nil, err
		}
		return one(t), nil
	})
	register(s, huma.Operation{
		OperationID: "get-me", Method: http.MethodGet, Path: Prefix + "/auth/me", Tags: []string{"auth"},
		Summary: "The signed-in user",
	}, fleetwatch.RoleViewer, func(ctx context.Context, _ *struct{}) (*One[*fleetwatch.User], error) {
		u, err := s.Auth.Me(ctx)
		if err != nil {
			return nil, err
		}
		return one(u), nil
	})
	register(s, huma.Operation{
		OperationID: "update-me", Method: http.MethodPatch, Path: Prefix + "/auth/me", Tags: []string{"auth"},
		Summary: "Change the signed-in user's name", MaxBodyBytes: 16 << 10,
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *MeInput) (*One[*fleetwatch.User], error) {
		me, err := s.Auth.Me(ctx)
		if err != nil {
			return nil, err
		}
		u, err := s.Users.Update(ctx, me.UUID, service.UserInput{Name: &in.Body.Name})
		if err != nil {
			return nil, err
		}
		return one(u), nil
	})
}
