package httpapi

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// ssoCookie keeps a sign-in's state, nonce and PKCE verifier, encrypted,
// between the redirect to the provider and the callback.
const ssoCookie = "fw_sso"

type ssoStartInput struct {
	Slug   string `path:"slug" maxLength:"40" doc:"The provider's slug"`
	Accept string `header:"Accept"`
}

type ssoCallbackInput struct {
	Flow             string `cookie:"fw_sso" maxLength:"4096"`
	State            string `query:"state" maxLength:"200"`
	Code             string `query:"code" maxLength:"4096"`
	Error            string `query:"error" maxLength:"200"`
	ErrorDescription string `query:"error_description" maxLength:"1000"`
	UserAgent        string `header:"User-Agent"`
	Accept           string `header:"Accept"`
}

// browserOutput is a redirect, or a page that tells a person what went
// wrong: the browser routes of single sign-on answer people, not programs.
type browserOutput struct {
	Status       int
	Location     string `header:"Location"`
	SetCookie    string `header:"Set-Cookie"`
	ContentType  string `header:"Content-Type"`
	CacheControl string `header:"Cache-Control"`
	Body         []byte
}

type ssoCompleteInput struct {
	UserAgent string `header:"User-Agent"`
	Body      struct {
		Token string `json:"token" maxLength:"8192" doc:"The token the callback put in the dashboard's address"`
	}
}

type identityProviderInput struct {
	Body service.IdentityProviderInput
}

type updateIdentityProviderInput struct {
	IDPath
	Body service.IdentityProviderInput
}

type signInPolicyInput struct {
	IDPath
	Body service.SignInPolicy
}

func (s *Server) registerSSORoutes() {
	tags := []string{"single sign-on"}
	op := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: Prefix + path, Tags: tags, Summary: summary, MaxBodyBytes: authBodyLimit}
	}
	register(s, op("list-sign-in-options", http.MethodGet, "/auth/sso/providers", "The identity providers to sign in with"), AccessPublic,
		func(ctx context.Context, _ *struct{}) (*One[[]service.SignInOption], error) {
			return wrap(s.SSO.SignInOptions(ctx))
		})
	start := op("start-sso", http.MethodGet, "/auth/sso/{slug}/start", "Sign in through an identity provider (a browser route: redirects to the provider)")
	start.DefaultStatus = http.StatusFound
	start.Errors = []int{http.StatusNotFound, http.StatusServiceUnavailable}
	start.Description = "Redirects the browser to the provider, with state, nonce and a PKCE challenge. A failure is an HTML page for a browser (Accept: text/html), the error envelope otherwise."
	register(s, start, AccessPublic, func(ctx context.Context, in *ssoStartInput) (*browserOutput, error) {
		st, err := s.SSO.Start(ctx, in.Slug, requestInfoFrom(ctx).remoteAddr)
		if err != nil {
			return s.ssoFailure(ctx, in.Accept, err)
		}
		return &browserOutput{Status: http.StatusFound, Location: st.RedirectURL, CacheControl: "no-store",
			SetCookie: s.flowCookie(st.Cookie, int(service.SSOFlowTTL.Seconds()))}, nil
	})
	callback := op("finish-sso", http.MethodGet, "/auth/sso/callback", "Where identity providers send the browser back (register this as the redirect URI)")
	callback.DefaultStatus = http.StatusFound
	callback.Errors = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusServiceUnavailable}
	callback.Description = "Checks the state, exchanges the code, verifies the ID token and redirects to the dashboard, which completes the sign-in with POST /auth/sso/complete. A failure is an HTML page for a browser (Accept: text/html), the error envelope otherwise."
	register(s, callback, AccessPublic, func(ctx context.Context, in *ssoCallbackInput) (*browserOutput, error) {
		next, err := s.SSO.Callback(ctx, service.CallbackInput{Cookie: in.Flow, State: in.State, Code: in.Code, Error: in.Error,
			ErrorDescription: in.ErrorDescription, RemoteAddr: requestInfoFrom(ctx).remoteAddr, UserAgent: in.UserAgent})
		if err != nil {
			out, err := s.ssoFailure(ctx, in.Accept, err)
			if out != nil {
				out.SetCookie = s.flowCookie("", -1)
			}
			return out, err
		}
		return &browserOutput{Status: http.StatusFound, Location: next, CacheControl: "no-store", SetCookie: s.flowCookie("", -1)}, nil
	})
	complete := op("complete-sso", http.MethodPost, "/auth/sso/complete", "Trade the single sign-on token for access and refresh tokens (or an MFA token)")
	complete.Errors = []int{http.StatusUnauthorized}
	register(s, complete, AccessPublic, func(ctx context.Context, in *ssoCompleteInput) (*One[*service.LoginAnswer], error) {
		return wrap(s.SSO.Complete(ctx, in.Body.Token, requestInfoFrom(ctx).remoteAddr, in.UserAgent))
	})
	register(s, op("sign-out", http.MethodPost, "/auth/sso/logout", "End this session, and answer where to send the browser (the provider's sign-out page for a session opened through one)"),
		fleetwatch.RoleViewer, func(ctx context.Context, _ *struct{}) (*One[*service.SignOut], error) {
			return wrap(s.SSO.Logout(ctx))
		})

	admin := func(id, method, path, summary string, status ...int) huma.Operation {
		o := op(id, method, "/admin/identity-providers"+path, summary)
		o.MaxBodyBytes = 64 << 10
		if len(status) > 0 {
			o.DefaultStatus = status[0]
		}
		return o
	}
	register(s, admin("list-identity-providers", http.MethodGet, "", "List the identity providers"), fleetwatch.RoleAdmin,
		func(ctx context.Context, _ *struct{}) (*Many[*fleetwatch.IdentityProvider], error) {
			ps, err := s.SSO.ListProviders(ctx)
			if err != nil {
				return nil, err
			}
			return listPage(s, ctx, ps, len(ps), ListParams{Page: 1, PerPage: len(ps) + 1}), nil
		})
	create := admin("create-identity-provider", http.MethodPost, "", "Add an identity provider", http.StatusCreated)
	create.Errors = []int{http.StatusConflict}
	register(s, create, fleetwatch.RoleAdmin, func(ctx context.Context, in *identityProviderInput) (*One[*fleetwatch.IdentityProvider], error) {
		return wrap(s.SSO.CreateProvider(ctx, in.Body))
	})
	get := admin("get-identity-provider", http.MethodGet, "/{id}", "One identity provider")
	get.Errors = []int{http.StatusNotFound}
	register(s, get, fleetwatch.RoleAdmin, func(ctx context.Context, in *IDPath) (*One[*fleetwatch.IdentityProvider], error) {
		return wrap(s.SSO.GetProvider(ctx, in.ID))
	})
	update := admin("update-identity-provider", http.MethodPatch, "/{id}", "Change an identity provider (group_mappings, when given, replace the old ones)")
	update.Errors = []int{http.StatusNotFound, http.StatusConflict}
	register(s, update, fleetwatch.RoleAdmin, func(ctx context.Context, in *updateIdentityProviderInput) (*One[*fleetwatch.IdentityProvider], error) {
		return wrap(s.SSO.UpdateProvider(ctx, in.ID, in.Body))
	})
	del := admin("delete-identity-provider", http.MethodDelete, "/{id}", "Remove an identity provider; its users stay", http.StatusNoContent)
	del.Errors = []int{http.StatusNotFound}
	register(s, del, fleetwatch.RoleAdmin, func(ctx context.Context, in *IDPath) (*struct{}, error) {
		return nil, s.SSO.DeleteProvider(ctx, in.ID)
	})

	policy := func(id, method, summary string) huma.Operation {
		o := op(id, method, "/organizations/{id}/sign-in-policy", summary)
		o.Tags = []string{"organizations"}
		o.Errors = []int{http.StatusNotFound}
		return o
	}
	register(s, policy("get-sign-in-policy", http.MethodGet, "Whether the organization's users may sign in with a password"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *IDPath) (*One[*service.SignInPolicy], error) {
			return wrap(s.SSO.GetSignInPolicy(ctx, in.ID))
		})
	register(s, policy("put-sign-in-policy", http.MethodPut, "Replace the organization's sign-in policy"), fleetwatch.RoleOrgAdmin,
		func(ctx context.Context, in *signInPolicyInput) (*One[*service.SignInPolicy], error) {
			return wrap(s.SSO.SetSignInPolicy(ctx, in.ID, in.Body))
		})
}

// flowCookie sets (maxAge > 0) or clears (maxAge < 0) the sign-in cookie.
// SameSite=Lax lets it come back with the provider's top-level redirect.
func (s *Server) flowCookie(value string, maxAge int) string {
	c := &http.Cookie{Name: ssoCookie, Value: value, Path: Prefix + "/auth/sso", MaxAge: maxAge, HttpOnly: true,
		Secure: strings.HasPrefix(s.publicURL, "https://"), SameSite: http.SameSiteLaxMode}
	return c.String()
}

var ssoErrorTemplate = template.Must(template.New("sso-error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed · Fleetwatch</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1a1b1e}
h1{font-size:1.4rem}p.reason{background:#fff5f5;border-left:4px solid #e03131;padding:.75rem 1rem}
small{color:#868e96}</style></head>
<body><h1>Single sign-on failed</h1>
<p class="reason" id="sso-error">{{.Message}}</p>
<p><a href="{{.SignIn}}">Back to the sign-in page</a></p>
<p><small>Request id {{.RequestID}}</small></p></body></html>`))

// ssoFailure answers a failed browser route: a page for a browser (which
// asks for HTML), the API's error envelope for any other client.
func (s *Server) ssoFailure(ctx context.Context, accept string, err error) (*browserOutput, error) {
	if !strings.Contains(accept, "text/html") {
		return nil, err
	}
	return s.ssoErrorPage(ctx, err), nil
}

// ssoErrorPage is the page a person sees when single sign-on fails: the
// service's message (internal errors are logged and not shown).
func (s *Server) ssoErrorPage(ctx context.Context, err error) *browserOutput {
	var fe *fleetwatch.Error
	status, msg := http.StatusInternalServerError, "Something went wrong on our side. Quote the request id when you report it."
	if errors.As(err, &fe) {
		status, msg = codes[fe.Code], fe.Message
	} else {
		s.logger.ErrorContext(ctx, "internal error", "err", err, "request_id", RequestIDFromContext(ctx))
	}
	if status == 0 {
		status = http.StatusInternalServerError
	}
	var buf bytes.Buffer
	_ = ssoErrorTemplate.Execute(&buf, map[string]string{"Message": msg, "SignIn": s.publicURL + "/sign-in", "RequestID": RequestIDFromContext(ctx)})
	return &browserOutput{Status: status, ContentType: "text/html; charset=utf-8", CacheControl: "no-store", Body: buf.Bytes()}
}
