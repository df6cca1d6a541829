package httpapi_test

import (
	"maps"
	"net/url"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch/internal/oidctest"
	"github.com/fleetwatch/fleetwatch/service"
)

// The isolation test walks the API as SSO users too: "sso_member" is a
// member of organization A provisioned at its first sign-in through a real
// OpenID Provider (internal/oidctest), whose groups map to A.

func init() {
	maps.Copy(routeCases, map[string]routeCase{
		"list-sign-in-options": {public: true},
		"start-sso":            {public: true},
		"finish-sso":           {public: true},
		"complete-sso":         {public: true},
		"sign-out":             {self: true},

		// Identity providers are the platform admin's alone.
		"list-identity-providers": {},
		"create-identity-provider": {body: func(f *isoFixture, _ string) any {
			return map[string]any{"slug": f.uniq("idp-"), "name": "IdP", "issuer_url": "https://id.example.com", "client_id": "fw"}
		}},
		"get-identity-provider": {params: func(f *isoFixture, _ string) map[string]string { return map[string]string{"id": f.provider} }},
		"update-identity-provider": {params: func(f *isoFixture, _ string) map[string]string { return map[string]string{"id": f.provider} },
			body: func(*isoFixture, string) any { return map[string]any{"name": "Corp ID"} }},
		"delete-identity-provider": {fresh: true, params: func(f *isoFixture, _ string) map[string]string {
			id := f.e.must(201, "POST", "/api/v1/admin/identity-providers", f.e.admin, map[string]any{
				"slug": f.uniq("doomed-"), "name": "Doomed", "issuer_url": "https://id.example.com", "client_id": "fw"}).data()["id"].(string)
			return map[string]string{"id": id}
		}},
		"get-sign-in-policy": {params: orgParam},
		// Passwords stay allowed: the walk signs users in with them.
		"put-sign-in-policy": {params: orgParam, body: func(*isoFixture, string) any { return map[string]any{"password_sign_in_disabled": false} }},
	})
}

// addSSOCallers starts an OpenID Provider, configures it with A's group
// mapped to A's members, and signs sso_member in through it.
func (f *isoFixture) addSSOCallers(t *testing.T) {
	t.Helper()
	op, err := oidctest.Start(oidctest.Config{ClientID: "fleetwatch", ClientSecret: "s3cret",
		RedirectURIs: []string{f.e.srv.URL + service.CallbackPath}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { op.Close() })
	f.op = op
	f.provider = f.e.must(201, "POST", "/api/v1/admin/identity-providers", f.e.admin, map[string]any{
		"slug": "corp", "name": "Corp ID", "issuer_url": op.Issuer, "client_id": "fleetwatch", "client_secret": "s3cret",
		"scopes": []string{"email", "groups"}, "auto_provision": true,
		"group_mappings": []map[string]any{{"group": "team-a", "organization_id": f.org["A"], "role": "member"}},
	}).data()["id"].(string)
	f.tokens["sso_member"] = f.ssoSignIn(t, "sso-member")
}

// ssoSignIn signs a new user of A's group in through the provider and
// returns their access token.
func (f *isoFixture) ssoSignIn(t *testing.T, username string) string {
	t.Helper()
	f.op.SetUser(oidctest.User{Username: username, Subject: "sub-" + username, Email: username + "@sso.example", EmailVerified: true, Groups: []string{"team-a"}})
	page, err := oidctest.NewBrowser(f.e.srv.URL+"/sign-in").SignIn(f.e.srv.URL+"/api/v1/auth/sso/corp/start", username)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(page.Location)
	if err != nil || !strings.HasPrefix(u.Fragment, "token=") {
		t.Fatalf("SSO sign-in of %s: %d %s %.300s", username, page.Status, page.Location, page.Body)
	}
	q, _ := url.ParseQuery(u.Fragment)
	return f.e.must(200, "POST", "/api/v1/auth/sso/complete", "", map[string]any{"token": q.Get("token")}).data()["access_token"].(string)
}
