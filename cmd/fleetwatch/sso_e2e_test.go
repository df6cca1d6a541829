package main

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/internal/e2etest"
	"github.com/fleetwatch/fleetwatch/internal/oidctest"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/pquerna/otp/totp"
)

// ssoWorld is a Fleetwatch signed in to by a real OpenID Provider on
// loopback, with an organization whose groups are mapped.
type ssoWorld struct {
	m        *Main
	op       *oidctest.Provider
	admin    *e2etest.Client
	org      string // Acme's uuid
	other    string // another organization's uuid
	provider string // the provider's uuid
	start    string // the sign-in address
}

func newSSOWorld(t *testing.T, b sqlstoretest.Backend) *ssoWorld {
	t.Helper()
	cfg := testConfig(t, b)
	cfg.Addr = e2etest.FreeAddr(t)
	cfg.PublicURL = "http://" + cfg.Addr
	op, err := oidctest.Start(oidctest.Config{
		ClientID: "fleetwatch", ClientSecret: "op-client-secret",
		RedirectURIs:           []string{cfg.PublicURL + service.CallbackPath},
		PostLogoutRedirectURIs: []string{cfg.PublicURL + "/sign-in"},
		Users: []oidctest.User{
			{Username: "alice", Subject: "sub-alice", Email: "alice@example.com", EmailVerified: true, Name: "Alice Ops", Groups: []string{"ops"}, AMR: []string{"pwd"}},
			{Username: "erin", Subject: "sub-erin", Email: "erin@example.com", EmailVerified: true, Groups: []string{"marketing"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { op.Close() })
	m := startMain(t, cfg)
	ctx := context.Background()
	if _, err := m.Auth.CreateUserFromShell(ctx, "Root", "root@example.com", "correct horse battery", "admin", ""); err != nil {
		t.Fatal(err)
	}
	w := &ssoWorld{m: m, op: op, admin: login(t, m.URL(), "root@example.com", "correct horse battery")}
	w.org = w.admin.Must(201, "POST", "/api/v1/organizations", map[string]any{"name": "Acme"})["id"].(string)
	w.other = w.admin.Must(201, "POST", "/api/v1/organizations", map[string]any{"name": "Globex"})["id"].(string)
	p := w.admin.Must(201, "POST", "/api/v1/admin/identity-providers", map[string]any{
		"slug": "corp", "name": "Corp ID", "issuer_url": op.Issuer, "client_id": "fleetwatch", "client_secret": "op-client-secret",
		"scopes": []string{"email", "profile", "groups"}, "auto_provision": true,
		"group_mappings": []map[string]any{
			{"group": "ops-leads", "organization_id": w.org, "role": "org_admin"},
			{"group": "ops", "organization_id": w.org, "role": "member"},
		},
	})
	if p["client_secret_set"] != true || p["client_secret"] != nil {
		t.Fatalf("the provider shows its secret, or did not keep it: %v", p)
	}
	w.provider = p["id"].(string)
	// At rest the client secret is sealed, not in plain text.
	stored, err := m.Store.FindIdentityProviderBySlug(ctx, "corp")
	if err != nil || !strings.HasPrefix(stored.ClientSecret, "v1:") || strings.Contains(stored.ClientSecret, "op-client-secret") {
		t.Fatalf("the client secret is stored as %q (%v)", stored.ClientSecret, err)
	}
	opts := (&e2etest.Client{T: t, URL: m.URL()}).Must(200, "GET", "/api/v1/auth/sso/providers", nil)
	list := opts["data"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["name"] != "Corp ID" {
		t.Fatalf("sign-in options: %v", opts)
	}
	w.start = list[0].(map[string]any)["sign_in_url"].(string)
	return w
}

func login(t *testing.T, base, email, password string) *e2etest.Client {
	t.Helper()
	c := &e2etest.Client{T: t, URL: base}
	c.Token = c.Must(200, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": password})["access_token"].(string)
	return c
}

func (w *ssoWorld) browser() *oidctest.Browser {
	return oidctest.NewBrowser(w.m.Config.PublicURL + "/sign-in")
}

// signIn signs username in through the provider and the dashboard's
// handoff, and returns the client with the tokens Fleetwatch answered.
func (w *ssoWorld) signIn(t *testing.T, username string) (*e2etest.Client, map[string]any) {
	t.Helper()
	page, err := w.browser().SignIn(w.start, username)
	if err != nil {
		t.Fatal(err)
	}
	token := handoffToken(t, page)
	c := &e2etest.Client{T: t, URL: w.m.URL()}
	ans := c.Must(200, "POST", "/api/v1/auth/sso/complete", map[string]any{"token": token})
	if tok, ok := ans["access_token"].(string); ok {
		c.Token = tok
	}
	return c, ans
}

func handoffToken(t *testing.T, page *oidctest.Page) string {
	t.Helper()
	u, err := url.Parse(page.Location)
	if err != nil || u.Path != "/sign-in/sso" {
		t.Fatalf("the sign-in did not come back to the dashboard: %d %s %.500s", page.Status, page.Location, page.Body)
	}
	q, _ := url.ParseQuery(u.Fragment)
	if q.Get("token") == "" {
		t.Fatalf("no token in %s", page.Location)
	}
	return q.Get("token")
}

// failure signs in and wants the error page with status and text.
func (w *ssoWorld) failure(t *testing.T, b *oidctest.Browser, username string, status int, text string) {
	t.Helper()
	page, err := b.SignIn(w.start, username)
	if err != nil {
		t.Fatal(err)
	}
	if page.Status != status || !strings.Contains(page.Body, text) || !strings.Contains(page.Body, `id="sso-error"`) {
		t.Errorf("want the error page %d %q, got %d %s %.600s", status, text, page.Status, page.Location, page.Body)
	}
}

func (w *ssoWorld) activity(t *testing.T, action string) []map[string]any {
	t.Helper()
	out := w.admin.Must(200, "GET", "/api/v1/activity?per_page=500&action="+action, nil)
	var got []map[string]any
	for _, e := range out["data"].([]any) {
		if e := e.(map[string]any); e["action"] == action {
			got = append(got, e)
		}
	}
	return got
}

// TestSSO_EndToEnd signs in through a real OpenID Provider on both
// databases: provisioning into the mapped organization and role, roles
// following groups at the next sign-in, and sign-out at the provider.
func TestSSO_EndToEnd(t *testing.T) {
	for _, b := range sqlstoretest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			w := newSSOWorld(t, b)
			alice, _ := w.signIn(t, "alice")
			me := alice.Must(200, "GET", "/api/v1/auth/me", nil)
			if me["email"] != "alice@example.com" || me["role"] != "member" || me["organization_id"] != w.org || me["name"] != "Alice Ops" {
				t.Fatalf("provisioned user: %v", me)
			}
			// The same tokens as a password sign-in: the API works, and
			// another organization does not exist for her.
			alice.Must(200, "GET", "/api/v1/sites", nil)
			if tk := alice.Must(201, "POST", "/api/v1/events/ticket", nil); tk["ticket"] == nil {
				t.Errorf("no event stream ticket for an SSO session: %v", tk)
			}
			alice.Must(404, "GET", "/api/v1/organizations/"+w.other, nil)
			if n := len(w.activity(t, "sso.user_provisioned")); n != 1 {
				t.Errorf("%d provisioning entries, want 1", n)
			}

			// Her groups change at the provider: her role follows at the
			// next sign-in, and the old session sees it too.
			w.op.SetUser(oidctest.User{Username: "alice", Subject: "sub-alice", Email: "alice@example.com", EmailVerified: true, Name: "Alice Ops", Groups: []string{"ops", "ops-leads"}})
			again, _ := w.signIn(t, "alice")
			if me := again.Must(200, "GET", "/api/v1/auth/me", nil); me["role"] != "org_admin" || me["id"] != alice.Must(200, "GET", "/api/v1/auth/me", nil)["id"] {
				t.Errorf("after the group change: %v", me)
			}
			if n := len(w.activity(t, "user.role_changed_by_groups")); n != 1 {
				t.Errorf("%d role change entries, want 1", n)
			}
			// The SSO sign-ins are in the activity log as logins.
			logins := 0
			for _, e := range w.activity(t, "user.login") {
				if strings.Contains(e["details"].(string), "sso:corp") {
					logins++
				}
			}
			if logins != 2 {
				t.Errorf("%d SSO logins in the activity log, want 2", logins)
			}

			// Sign-out ends the session and sends the browser to the
			// provider's end-session endpoint, which comes back to the
			// dashboard's sign-in page.
			out := again.Must(200, "POST", "/api/v1/auth/sso/logout", nil)
			redirect, _ := out["redirect_url"].(string)
			if !strings.HasPrefix(redirect, w.op.Issuer+"/end_session?") || !strings.Contains(redirect, "id_token_hint=") {
				t.Fatalf("sign-out redirect %q", redirect)
			}
			again.Must(401, "GET", "/api/v1/auth/me", nil)
			page, err := w.browser().Visit(redirect)
			if err != nil {
				t.Fatal(err)
			}
			if page.Location != w.m.Config.PublicURL+"/sign-in" {
				t.Errorf("the provider's sign-out ended at %d %s %.300s", page.Status, page.Location, page.Body)
			}
			if ended := w.op.Logouts(); len(ended) != 1 || ended[0] != "sub-alice" {
				t.Errorf("sessions ended at the provider: %v", ended)
			}
		})
	}
}

// TestSSO_Failures: every way a sign-in can fail ends on a clear page,
// changes nothing, and is in the activity log.
func TestSSO_Failures(t *testing.T) {
	w := newSSOWorld(t, sqlstoretest.Backends(t)[0])

	t.Run("TamperedIDToken", func(t *testing.T) {
		defer w.op.SetTamper(oidctest.TamperNone)
		w.op.SetTamper(oidctest.TamperSignature)
		w.failure(t, w.browser(), "alice", 401, "signature does not verify")
		w.op.SetTamper(oidctest.TamperAudience)
		w.failure(t, w.browser(), "alice", 401, "wrong audience")
		w.op.SetTamper(oidctest.TamperNonce)
		w.failure(t, w.browser(), "alice", 401, "nonce does not match")
		w.op.SetTamper(oidctest.TamperExpired)
		w.failure(t, w.browser(), "alice", 401, "expired")
	})
	t.Run("ExpiredCode", func(t *testing.T) {
		b := w.browser()
		b.BeforeRequest = func(u string) {
			if strings.Contains(u, service.CallbackPath) {
				w.op.ExpireCodes()
			}
		}
		w.failure(t, b, "alice", 401, "code expired or was already used")
	})
	t.Run("DeniedConsent", func(t *testing.T) {
		w.failure(t, w.browser(), "", 403, "You declined to sign in")
	})
	t.Run("StateFromAnotherBrowser", func(t *testing.T) {
		b := w.browser()
		b.BeforeRequest = func(u string) {
			if strings.Contains(u, service.CallbackPath) {
				b.Client.Jar, _ = newJar()
			}
		}
		w.failure(t, b, "alice", 401, "started in another browser window")
	})
	t.Run("NoMapping", func(t *testing.T) {
		w.failure(t, w.browser(), "erin", 403, "None of your groups")
	})
	t.Run("LinkingRefusedForUnverifiedEmail", func(t *testing.T) {
		w.admin.Must(201, "POST", "/api/v1/users", map[string]any{"email": "carol@example.com", "name": "Carol", "password": "carol-password-1", "role": "viewer", "organization_id": w.org})
		w.admin.Must(200, "PATCH", "/api/v1/admin/identity-providers/"+w.provider, map[string]any{"allow_email_linking": true})
		w.op.SetUser(oidctest.User{Username: "carol", Subject: "sub-carol", Email: "carol@example.com", EmailVerified: false, Groups: []string{"ops"}})
		w.failure(t, w.browser(), "carol", 403, "does not say your e-mail address is verified")
		// Verified, she is linked, and her role follows her groups.
		w.op.SetUser(oidctest.User{Username: "carol", Subject: "sub-carol", Email: "carol@example.com", EmailVerified: true, Groups: []string{"ops"}})
		carol, _ := w.signIn(t, "carol")
		if me := carol.Must(200, "GET", "/api/v1/auth/me", nil); me["email"] != "carol@example.com" || me["role"] != "member" {
			t.Errorf("linked user: %v", me)
		}
		if n := len(w.activity(t, "sso.user_linked")); n != 1 {
			t.Errorf("%d link entries, want 1", n)
		}
	})
	t.Run("LinkingNotAllowed", func(t *testing.T) {
		w.admin.Must(201, "POST", "/api/v1/users", map[string]any{"email": "dan@example.com", "name": "Dan", "password": "dan-password-12", "role": "viewer", "organization_id": w.org})
		w.admin.Must(200, "PATCH", "/api/v1/admin/identity-providers/"+w.provider, map[string]any{"allow_email_linking": false})
		w.op.SetUser(oidctest.User{Username: "dan", Subject: "sub-dan", Email: "dan@example.com", EmailVerified: true, Groups: []string{"ops"}})
		w.failure(t, w.browser(), "dan", 403, "has not allowed linking")
	})
	t.Run("UnknownUserWithoutProvisioning", func(t *testing.T) {
		w.admin.Must(200, "PATCH", "/api/v1/admin/identity-providers/"+w.provider, map[string]any{"auto_provision": false})
		defer w.admin.Must(200, "PATCH", "/api/v1/admin/identity-providers/"+w.provider, map[string]any{"auto_provision": true})
		w.op.SetUser(oidctest.User{Username: "frank", Subject: "sub-frank", Email: "frank@example.com", EmailVerified: true, Groups: []string{"ops"}})
		w.failure(t, w.browser(), "frank", 403, "You have no Fleetwatch account")
	})
	t.Run("DisabledProvider", func(t *testing.T) {
		// Disabled between the start and the callback…
		b := w.browser()
		b.BeforeRequest = func(u string) {
			if strings.Contains(u, service.CallbackPath) {
				w.admin.Must(200, "PATCH", "/api/v1/admin/identity-providers/"+w.provider, map[string]any{"enabled": false})
			}
		}
		w.failure(t, b, "alice", 403, "identity provider was disabled")
		// …and before: no button, and its sign-in address is refused.
		opts := (&e2etest.Client{T: t, URL: w.m.URL()}).Must(200, "GET", "/api/v1/auth/sso/providers", nil)
		if n := len(opts["data"].([]any)); n != 0 {
			t.Errorf("%d sign-in options with the provider disabled", n)
		}
		page, err := w.browser().Visit(w.start)
		if err != nil || page.Status != 404 || !strings.Contains(page.Body, "no enabled identity provider") {
			t.Errorf("start with the provider disabled: %v %+v", err, page)
		}
		w.admin.Must(200, "PATCH", "/api/v1/admin/identity-providers/"+w.provider, map[string]any{"enabled": true})
	})
	t.Run("SecretKeyChanged", func(t *testing.T) {
		// The client secret was sealed with the old key: a clear answer,
		// not an internal error.
		activity := &service.Activity{Store: w.m.Store, Logger: w.m.Logger}
		other, err := service.NewSSO(w.m.Store, w.m.Auth, activity, nil, w.m.Config.PublicURL, []byte("another-secret-key-another-secret-key-0123"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = other.Start(context.Background(), "corp", "127.0.0.1")
		if fleetwatch.ErrorCode(err) != fleetwatch.EUNAVAILABLE || !strings.Contains(fleetwatch.ErrorMessage(err), "enter it again") {
			t.Errorf("start with another secret key: %v", err)
		}
	})
	// Every failure above is in the activity log with its reason.
	reasons := map[string]bool{}
	for _, e := range w.activity(t, "sso.login_failed") {
		for _, r := range []string{"signature", "audience", "nonce", "token_expired", "code_expired", "access_denied", "state", "no_mapping", "link_refused", "unknown_user"} {
			if strings.Contains(e["details"].(string), `"reason":"`+r+`"`) {
				reasons[r] = true
			}
		}
	}
	if len(reasons) != 10 {
		t.Errorf("failure reasons in the activity log: %v", reasons)
	}
}

// TestSSO_SecondFactorAndPasswordPolicy: a user with 2FA is asked for a
// code unless the provider asserts MFA in amr; an organization can refuse
// passwords.
func TestSSO_SecondFactorAndPasswordPolicy(t *testing.T) {
	w := newSSOWorld(t, sqlstoretest.Backends(t)[0])
	alice, _ := w.signIn(t, "alice")
	setup := alice.Must(200, "POST", "/api/v1/auth/2fa/setup", nil)
	code, err := totp.GenerateCode(setup["secret"].(string), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	alice.Must(200, "POST", "/api/v1/auth/2fa/enable", map[string]any{"code": code})

	_, ans := w.signIn(t, "alice") // amr: pwd
	if ans["mfa_required"] != true || ans["mfa_token"] == nil || ans["access_token"] != nil {
		t.Fatalf("2FA not asked without MFA at the provider: %v", ans)
	}
	w.op.SetUser(oidctest.User{Username: "alice", Subject: "sub-alice", Email: "alice@example.com", EmailVerified: true, Groups: []string{"ops"}, AMR: []string{"pwd", "otp", "mfa"}})
	if _, ans := w.signIn(t, "alice"); ans["access_token"] == nil {
		t.Fatalf("2FA asked although the provider asserted MFA: %v", ans)
	}
	// Configurable: with no amr values trusted, 2FA is always asked.
	w.admin.Must(200, "PATCH", "/api/v1/admin/identity-providers/"+w.provider, map[string]any{"mfa_amr_values": []string{}})
	if _, ans := w.signIn(t, "alice"); ans["mfa_required"] != true {
		t.Fatalf("2FA not asked with no amr values trusted: %v", ans)
	}

	// A handoff token is good once.
	page, err := w.browser().SignIn(w.start, "alice")
	if err != nil {
		t.Fatal(err)
	}
	tok := handoffToken(t, page)
	anon := &e2etest.Client{T: t, URL: w.m.URL()}
	anon.Must(200, "POST", "/api/v1/auth/sso/complete", map[string]any{"token": tok})
	anon.Must(401, "POST", "/api/v1/auth/sso/complete", map[string]any{"token": tok})

	// Passwords off for Acme: a member's right password is refused, a
	// platform admin's is not; an org admin of another organization
	// cannot see the policy.
	w.admin.Must(201, "POST", "/api/v1/users", map[string]any{"email": "pat@example.com", "name": "Pat", "password": "pat-password-123", "role": "member", "organization_id": w.org})
	login(t, w.m.URL(), "pat@example.com", "pat-password-123")
	if got := w.admin.Must(200, "PUT", "/api/v1/organizations/"+w.org+"/sign-in-policy", map[string]any{"password_sign_in_disabled": true}); got["password_sign_in_disabled"] != true {
		t.Fatalf("policy: %v", got)
	}
	st, body := anon.Call("POST", "/api/v1/auth/login", map[string]any{"email": "pat@example.com", "password": "pat-password-123"})
	if st != 403 || !strings.Contains(body["errors"].([]any)[0].(map[string]any)["detail"].(string), "single sign-on") {
		t.Errorf("password of an SSO-only organization: %d %v", st, body)
	}
	login(t, w.m.URL(), "root@example.com", "correct horse battery")
	w.admin.Must(201, "POST", "/api/v1/users", map[string]any{"email": "gil@example.com", "name": "Gil", "password": "gil-password-123", "role": "org_admin", "organization_id": w.other})
	gil := login(t, w.m.URL(), "gil@example.com", "gil-password-123")
	gil.Must(404, "GET", "/api/v1/organizations/"+w.org+"/sign-in-policy", nil)
	gil.Must(404, "PUT", "/api/v1/organizations/"+w.org+"/sign-in-policy", map[string]any{"password_sign_in_disabled": false})
	// Only platform admins manage providers.
	gil.Must(403, "GET", "/api/v1/admin/identity-providers", nil)
}

func newJar() (http.CookieJar, error) { return cookiejar.New(nil) }
