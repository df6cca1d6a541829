package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

type loginInput struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		Email    string `json:"email" maxLength:"254" doc:"The account's e-mail address"`
		Password string `json:"password" maxLength:"1024"`
	}
}

type mfaInput struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		MFAToken string `json:"mfa_token" maxLength:"2048"`
		Code     string `json:"code" maxLength:"32" doc:"A 6-digit TOTP code or an unused backup code"`
	}
}

type refreshInput struct {
	Body struct {
		RefreshToken string `json:"refresh_token" maxLength:"200"`
	}
}

type meInput struct {
	Body struct {
		Name string `json:"name" maxLength:"200"`
	}
}

type passwordInput struct {
	Body struct {
		CurrentPassword string `json:"current_password" maxLength:"1024"`
		NewPassword     string `json:"new_password" maxLength:"1024"`
	}
}

type codeInput struct {
	Body struct {
		Code string `json:"code" maxLength:"32"`
	}
}

type disable2FAInput struct {
	Body struct {
		Password string `json:"password" maxLength:"1024"`
		Code     string `json:"code" maxLength:"32"`
	}
}

type preferencesInput struct {
	Body fleetwatch.NotificationPreferences
}

type notificationTestInput struct {
	Body struct {
		Channel string `json:"channel" enum:"email,webhook" doc:"Where to send the test: the signed-in user's e-mail or webhook"`
	}
}

const authBodyLimit = 16 << 10

func (s *Server) registerAuthRoutes() {
	tags := []string{"auth"}
	op := func(id, method, path, summary string, status ...int) huma.Operation {
		o := huma.Operation{OperationID: id, Method: method, Path: Prefix + "/auth" + path, Tags: tags, Summary: summary, MaxBodyBytes: authBodyLimit}
		if len(status) > 0 {
			o.DefaultStatus = status[0]
		}
		return o
	}
	login := op("login", http.MethodPost, "/login", "Sign in with e-mail and password")
	login.Errors = []int{http.StatusUnauthorized, http.StatusTooManyRequests}
	register(s, login, AccessPublic, func(ctx context.Context, in *loginInput) (*One[*service.LoginAnswer], error) {
		return wrap(s.Auth.Login(ctx, in.Body.Email, in.Body.Password, requestInfoFrom(ctx).remoteAddr, in.UserAgent))
	})
	mfa := op("complete-mfa", http.MethodPost, "/mfa", "Finish a sign-in with a TOTP or backup code")
	mfa.Errors = []int{http.StatusUnauthorized, http.StatusTooManyRequests}
	register(s, mfa, AccessPublic, func(ctx context.Context, in *mfaInput) (*One[*service.LoginAnswer], error) {
		return wrap(s.Auth.CompleteMFA(ctx, in.Body.MFAToken, in.Body.Code, requestInfoFrom(ctx).remoteAddr, in.UserAgent))
	})
	refresh := op("refresh-token", http.MethodPost, "/refresh", "Trade a refresh token for new tokens (the old one dies)")
	refresh.Errors = []int{http.StatusUnauthorized}
	register(s, refresh, AccessPublic, func(ctx context.Context, in *refreshInput) (*One[*service.LoginAnswer], error) {
		return wrap(s.Auth.Refresh(ctx, in.Body.RefreshToken, requestInfoFrom(ctx).remoteAddr))
	})
	register(s, op("logout", http.MethodPost, "/logout", "End this session: its access and refresh tokens die at once", http.StatusNoContent),
		fleetwatch.RoleViewer, func(ctx context.Context, _ *struct{}) (*struct{}, error) {
			return nil, s.Auth.Logout(ctx)
		})
	register(s, op("get-me", http.MethodGet, "/me", "The signed-in user"), fleetwatch.RoleViewer,
		func(ctx context.Context, _ *struct{}) (*One[*fleetwatch.User], error) {
			return wrap(s.Auth.Me(ctx))
		})
	register(s, op("update-me", http.MethodPatch, "/me", "Change the signed-in user's name"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *meInput) (*One[*fleetwatch.User], error) {
			me, err := s.Auth.Me(ctx)
			if err != nil {
				return nil, err
			}
			return wrap(s.Users.Update(ctx, me.UUID, service.UserInput{Name: &in.Body.Name}))
		})
	register(s, limited(op("change-password", http.MethodPut, "/password", "Change the password; other sessions end", http.StatusNoContent)),
		fleetwatch.RoleViewer, func(ctx context.Context, in *passwordInput) (*struct{}, error) {
			return nil, s.Auth.ChangePassword(ctx, in.Body.CurrentPassword, in.Body.NewPassword)
		})
	register(s, op("setup-2fa", http.MethodPost, "/2fa/setup", "Start 2FA enrolment: a new TOTP secret and its QR code"), fleetwatch.RoleViewer,
		func(ctx context.Context, _ *struct{}) (*One[*service.TOTPSetup], error) {
			return wrap(s.Auth.SetupTOTP(ctx))
		})
	register(s, limited(op("enable-2fa", http.MethodPost, "/2fa/enable", "Turn 2FA on with a code; answers 10 backup codes, shown once")), fleetwatch.RoleViewer,
		func(ctx context.Context, in *codeInput) (*One[*service.BackupCodes], error) {
			return wrap(s.Auth.EnableTOTP(ctx, in.Body.Code))
		})
	register(s, limited(op("disable-2fa", http.MethodPost, "/2fa/disable", "Turn 2FA off with the password and a code", http.StatusNoContent)), fleetwatch.RoleViewer,
		func(ctx context.Context, in *disable2FAInput) (*struct{}, error) {
			return nil, s.Auth.DisableTOTP(ctx, in.Body.Password, in.Body.Code)
		})
	register(s, limited(op("regenerate-backup-codes", http.MethodPost, "/2fa/backup-codes", "New backup codes; the old ones die")), fleetwatch.RoleViewer,
		func(ctx context.Context, in *codeInput) (*One[*service.BackupCodes], error) {
			return wrap(s.Auth.RegenerateBackupCodes(ctx, in.Body.Code))
		})
	register(s, op("get-notification-preferences", http.MethodGet, "/me/notification-preferences", "What notifications reach the signed-in user"), fleetwatch.RoleViewer,
		func(ctx context.Context, _ *struct{}) (*One[*fleetwatch.NotificationPreferences], error) {
			return wrap(s.Auth.NotificationPreferences(ctx))
		})
	register(s, op("put-notification-preferences", http.MethodPut, "/me/notification-preferences", "Replace the signed-in user's notification preferences"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *preferencesInput) (*One[*fleetwatch.NotificationPreferences], error) {
			return wrap(s.Auth.SetNotificationPreferences(ctx, in.Body))
		})
	register(s, op("get-notification-channels", http.MethodGet, "/me/notification-channels", "Which notification channels this server can send on"), fleetwatch.RoleViewer,
		func(ctx context.Context, _ *struct{}) (*One[fleetwatch.NotificationChannels], error) {
			return wrap(s.Notifier.Channels(ctx))
		})
	test := op("send-test-notification", http.MethodPost, "/me/notification-test", "Send the signed-in user a test notification now",
		http.StatusOK)
	test.Description = "Sends a test message on one channel to the signed-in user's e-mail address or webhook, now, and says where it went; " +
		"it is not recorded as a delivery. 422 when the server has no mail server or no webhook is set, 503 with what the mail server or " +
		"the webhook answered when it refused, 429 within 10 seconds of the last test."
	register(s, limited(test), fleetwatch.RoleViewer,
		func(ctx context.Context, in *notificationTestInput) (*One[*fleetwatch.NotificationTest], error) {
			return wrap(s.Notifier.SendTest(ctx, in.Body.Channel))
		})
}

// limited declares the 429 of a route that checks a password or a code:
// too many failures from the caller's address, or too many checks waiting
// (see service.Limits and service.Passwords).
func limited(o huma.Operation) huma.Operation {
	o.Errors = append(o.Errors, http.StatusTooManyRequests)
	return o
}

// wrap envelopes a service answer.
func wrap[T any](v T, err error) (*One[T], error) {
	if err != nil {
		return nil, err
	}
	return one(v), nil
}
