package httpapi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/internal/oidctest"
)

// The isolation test walks every operation of the OpenAPI document as every
// kind of caller of organization A, against resources of A and of B, and
// checks who may do what: the least role each operation declares, 404 (never
// 403) for anything of another organization, and none of B's ids in any
// answer to A. An operation without an entry in routeCases fails the test.

// caller kinds of organization A.
var callers = []string{"admin", "org_admin", "member", "viewer", "sso_member", "integration_read", "integration_write", "site_key", "anonymous"}

// callerRank is the role each caller acts with (0: no role).
var callerRank = map[string]int{"admin": 4, "org_admin": 3, "member": 2, "viewer": 1, "sso_member": 2, "integration_read": 1, "integration_write": 2}

var roleRank = map[string]int{"admin": 4, "org_admin": 3, "member": 2, "viewer": 1}

// isoFixture holds organizations A and B and A's credentials.
type isoFixture struct {
	e        *env
	org      map[string]string // "A"/"B" → organization id
	site     map[string]string
	auditLog map[string]string // a push of each organization's site
	exposure map[string]string // an open exposure of each organization
	user     map[string]string // a member of each organization
	tokens   map[string]string // caller → credential
	foreign  []string          // every id of B
	n        atomic.Int64
	op       *oidctest.Provider // signs the SSO callers in
	provider string             // its id
}

// routeCase says how to call one operation.
type routeCase struct {
	// params returns the path parameters for a target organization ("A" or
	// "B"). Destructive operations create fresh resources each call.
	params func(f *isoFixture, org string) map[string]string
	// body returns the request body for a target organization.
	body func(f *isoFixture, org string) any
	// query returns the query string for a target organization.
	query func(f *isoFixture, org string) string
	// ownRank overrides the least role that succeeds on A's resources, for
	// operations whose service is stricter than the route (0: the route's).
	ownRank int
	// self marks operations on the caller's own account: each call runs as
	// a fresh user of the caller's role, and API keys are refused.
	self bool
	// public marks operations that need no credentials; they are not walked.
	public bool
	// fresh marks params that create a resource (for destructive
	// operations): they are made only for callers past the role check.
	fresh bool
	// okStatus is what a permitted call answers when success needs what
	// the harness has not (a mail server); 0: any 2xx.
	okStatus int
}

func (f *isoFixture) uniq(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, f.n.Add(1))
}

func (f *isoFixture) freshSite(org string) string {
	return f.e.must(201, "POST", "/api/v1/sites", f.e.admin, map[string]any{"url": "https://" + f.uniq("s") + ".example", "name": f.uniq("Site "), "organization_id": f.org[org]}).data()["id"].(string)
}

func (f *isoFixture) freshUser(org, role string) string {
	return f.e.must(201, "POST", "/api/v1/users", f.e.admin, map[string]any{"name": "U", "email": f.uniq("u") + "@x.example", "password": testPassword, "role": role, "organization_id": f.org[org]}).data()["id"].(string)
}

func (f *isoFixture) freshSiteKey(org string) map[string]string {
	site := f.freshSite(org)
	key := f.e.must(201, "POST", "/api/v1/sites/"+site+"/api-keys", f.e.admin, map[string]any{"name": "k"}).data()["id"].(string)
	return map[string]string{"id": site, "key_id": key}
}

func (f *isoFixture) freshIntegrationKey(org string) map[string]string {
	key := f.e.must(201, "POST", "/api/v1/organizations/"+f.org[org]+"/api-keys", f.e.admin, map[string]any{"name": "k", "scope": "read"}).data()["id"].(string)
	return map[string]string{"id": f.org[org], "key_id": key}
}

// noParams marks an operation whose target organization is named in the
// query rather than the path.
func noParams(*isoFixture, string) map[string]string { return map[string]string{} }

func scopeQuery(f *isoFixture, org string) string {
	return "?organization_id=" + f.org[org] + "&site_id=" + f.site[org]
}

func exposureParam(f *isoFixture, org string) map[string]string {
	return map[string]string{"id": f.exposure[org]}
}

// acceptedExposureParam names the organization's exposure, accepted first
// (by the platform admin) when no acceptance is in force.
func acceptedExposureParam(f *isoFixture, org string) map[string]string {
	body := map[string]any{"justification": "Compensating WAF rule", "expires_at": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}
	if r := f.e.do("POST", "/api/v1/exposures/"+f.exposure[org]+"/acceptance", f.e.admin, body); r.Status != 201 && r.Status != 409 {
		f.e.t.Fatalf("accept exposure: %d %s", r.Status, r.Raw)
	}
	return exposureParam(f, org)
}

// customParam names a custom project only the organization runs: its very
// name is the organization's business.
func customParam(_ *isoFixture, org string) map[string]string {
	return map[string]string{"name": customProject(org)}
}

func customProject(org string) string { return "secret_" + strings.ToLower(org) + "_payroll" }

func inventoryBody(org string) map[string]any {
	return map[string]any{
		"collected_at": time.Now().UTC().Format(time.RFC3339),
		"drupal":       map[string]any{"core_version": "10.3.6", "php_version": "8.3.1"},
		"modules": []map[string]any{
			{"name": "drupal", "type": "core", "version": "10.3.6"},
			{"name": "aaa_update_test", "type": "module", "version": "8.x-1.0"},
			{"name": customProject(org), "type": "module", "version": "1.0.0", "source": "custom"},
		},
	}
}

func composerLockBody() map[string]any {
	return map[string]any{"packages": []map[string]any{
		{"name": "drupal/core", "version": "10.3.6", "type": "drupal-core"},
		{"name": "drupal/aaa_update_test", "version": "1.0.0", "type": "drupal-module", "extra": map[string]any{"drupal": map[string]any{"version": "8.x-1.0"}}},
	}}
}

func patchRunBody() map[string]any {
	now := time.Now().UTC()
	return map[string]any{"started_at": now.Add(-time.Minute).Format(time.RFC3339), "finished_at": now.Format(time.RFC3339),
		"status": "succeeded", "tool": "composer", "changes": []map[string]any{{"name": "aaa_update_test", "from_version": "8.x-1.0", "to_version": "8.x-1.0"}}}
}

func orgParam(f *isoFixture, org string) map[string]string {
	return map[string]string{"id": f.org[org]}
}
func siteParam(f *isoFixture, org string) map[string]string {
	return map[string]string{"id": f.site[org]}
}
func userParam(f *isoFixture, org string) map[string]string {
	return map[string]string{"id": f.user[org]}
}

var routeCases = map[string]routeCase{
	"login":         {public: true},
	"complete-mfa":  {public: true},
	"refresh-token": {public: true},

	"logout":    {self: true},
	"get-me":    {self: true},
	"update-me": {self: true, body: func(*isoFixture, string) any { return map[string]any{"name": "New"} }},
	"change-password": {self: true, body: func(*isoFixture, string) any {
		return map[string]any{"current_password": testPassword, "new_password": "another password"}
	}},
	"setup-2fa":                    {self: true},
	"enable-2fa":                   {self: true, body: func(*isoFixture, string) any { return map[string]any{"code": "123456"} }},
	"disable-2fa":                  {self: true, body: func(*isoFixture, string) any { return map[string]any{"password": testPassword, "code": "123456"} }},
	"regenerate-backup-codes":      {self: true, body: func(*isoFixture, string) any { return map[string]any{"code": "123456"} }},
	"get-notification-preferences": {self: true},
	"put-notification-preferences": {self: true, body: func(*isoFixture, string) any { return map[string]any{"email": map[string]any{"enabled": true}} }},
	"get-notification-channels":    {self: true},
	// The harness has no mail server: a permitted test e-mail says so.
	"send-test-notification": {self: true, okStatus: 422, body: func(*isoFixture, string) any { return map[string]any{"channel": "email"} }},

	"list-organizations":  {},
	"create-organization": {body: func(f *isoFixture, _ string) any { return map[string]any{"name": f.uniq("Org ")} }},
	"get-organization":    {params: orgParam},
	"update-organization": {params: orgParam, body: func(*isoFixture, string) any { return map[string]any{"tax_id": "X1"} }},
	// Only admins get past the role check; they delete a fresh organization.
	"delete-organization": {fresh: true, params: func(f *isoFixture, _ string) map[string]string {
		return map[string]string{"id": f.e.createOrg(f.uniq("Doomed "))}
	}},

	"list-users": {},
	"create-user": {body: func(f *isoFixture, org string) any {
		return map[string]any{"name": "N", "email": f.uniq("n") + "@x.example", "password": testPassword, "role": "viewer", "organization_id": f.org[org]}
	}},
	"get-user":    {params: userParam, ownRank: 3},
	"update-user": {params: userParam, ownRank: 3, body: func(*isoFixture, string) any { return map[string]any{"name": "Renamed"} }},
	"delete-user": {fresh: true, params: func(f *isoFixture, org string) map[string]string {
		return map[string]string{"id": f.freshUser(org, "viewer")}
	}},

	"list-sites": {},
	"create-site": {body: func(f *isoFixture, org string) any {
		return map[string]any{"url": "https://" + f.uniq("n") + ".example", "name": "N", "organization_id": f.org[org]}
	}},
	"get-site":    {params: siteParam},
	"update-site": {params: siteParam, body: func(*isoFixture, string) any { return map[string]any{"description": "d"} }},
	"delete-site": {fresh: true, params: func(f *isoFixture, org string) map[string]string { return map[string]string{"id": f.freshSite(org)} }},

	"list-activity": {},

	// What sites pushed: A's callers see only A's.
	"push-inventory":     {body: func(*isoFixture, string) any { return inventoryBody("A") }},
	"push-composer-lock": {body: func(*isoFixture, string) any { return composerLockBody() }},
	"push-patch-run":     {body: func(*isoFixture, string) any { return patchRunBody() }},
	// The site key reads its own site's standing (it names no site).
	"get-site-standing":       {},
	"record-patch-run":        {params: siteParam, body: func(*isoFixture, string) any { return patchRunBody() }},
	"list-audit-logs":         {},
	"get-audit-log":           {params: func(f *isoFixture, org string) map[string]string { return map[string]string{"id": f.auditLog[org]} }},
	"retry-audit-log":         {params: func(f *isoFixture, org string) map[string]string { return map[string]string{"id": f.auditLog[org]} }},
	"list-modules":            {},
	"list-fleet-site-modules": {query: func(f *isoFixture, org string) string { return "?organization_id=" + f.org[org] }},
	"get-module":              {params: customParam},
	"list-module-sites":       {params: customParam},
	"list-module-versions":    {params: customParam},
	"list-site-modules":       {params: siteParam},
	"get-site-history":        {params: siteParam},
	"list-site-changes":       {params: siteParam},
	"list-patch-runs":         {},
	"list-site-patch-runs":    {params: siteParam},
	"list-exposures":          {},
	"get-exposure":            {params: exposureParam},
	"refresh-feeds":           {},
	// Accepting a risk: for an open exposure of the target organization.
	"accept-exposure": {params: exposureParam, body: func(*isoFixture, string) any {
		return map[string]any{"justification": "Vendor patch pending", "expires_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)}
	}},
	"get-exposure-acceptance":    {params: acceptedExposureParam},
	"revoke-exposure-acceptance": {fresh: true, params: acceptedExposureParam},

	// Events: the stream ends quickly in tests (Events.MaxStream); a
	// ticket is for the caller's own browser, so API keys get none.
	"stream-events":                {},
	"create-event-ticket":          {self: true},
	"list-notification-deliveries": {self: true},
	"get-sla-policy":               {params: orgParam},
	"list-sla-policy-versions":     {params: orgParam},
	"put-sla-policy": {params: orgParam, body: func(*isoFixture, string) any {
		return map[string]any{"deadlines": map[string]any{"highly_critical": 2, "critical": 4, "moderately_critical": 10, "less_critical": 30, "not_critical": 90}}
	}},

	// Reports: A's callers asking for B's organization or site get 404.
	"get-summary-report":          {params: noParams, query: scopeQuery},
	"get-security-updates-report": {params: noParams, query: scopeQuery},
	"get-site-risk-report":        {params: noParams, query: scopeQuery},
	"get-sla-compliance-report":   {params: noParams, query: scopeQuery},
	"get-trends-report":           {params: noParams, query: scopeQuery},
	"get-module-usage-report":     {params: noParams, query: func(f *isoFixture, org string) string { return scopeQuery(f, org) + "&project=drupal" }},
	"get-module-versions-report":  {params: noParams, query: func(f *isoFixture, org string) string { return scopeQuery(f, org) + "&project=drupal" }},
	"get-patch-runs-report":       {params: noParams, query: scopeQuery},
	"get-platforms-report":        {params: noParams, query: scopeQuery},

	"create-site-api-key":        {params: siteParam, body: func(*isoFixture, string) any { return map[string]any{"name": "k"} }},
	"list-site-api-keys":         {params: siteParam},
	"revoke-site-api-key":        {fresh: true, params: func(f *isoFixture, org string) map[string]string { return f.freshSiteKey(org) }},
	"create-integration-api-key": {params: orgParam, body: func(*isoFixture, string) any { return map[string]any{"name": "k", "scope": "read"} }},
	"list-integration-api-keys":  {params: orgParam},
	"revoke-integration-api-key": {fresh: true, params: func(f *isoFixture, org string) map[string]string { return f.freshIntegrationKey(org) }},
}

func newIsoFixture(t *testing.T, e *env) *isoFixture {
	f := &isoFixture{e: e, org: map[string]string{}, site: map[string]string{}, user: map[string]string{}, tokens: map[string]string{},
		auditLog: map[string]string{}, exposure: map[string]string{}}
	for _, o := range []string{"A", "B"} {
		f.org[o] = e.createOrg("Org " + o)
		f.site[o] = f.freshSite(o)
		f.user[o] = f.freshUser(o, "member")
	}
	f.tokens["admin"] = e.admin
	for _, role := range []string{"org_admin", "member", "viewer"} {
		f.tokens[role] = e.createUser(role+"@a.example", role, f.org["A"])
	}
	for _, scope := range []string{"read", "write"} {
		f.tokens["integration_"+scope] = e.must(201, "POST", "/api/v1/organizations/"+f.org["A"]+"/api-keys", e.admin, map[string]any{"name": scope, "scope": scope}).data()["key"].(string)
	}
	f.tokens["site_key"] = e.must(201, "POST", "/api/v1/sites/"+f.site["A"]+"/api-keys", e.admin, map[string]any{"name": "push"}).data()["key"].(string)
	// B gets a user of each role, keys and a site key too, so that leaks
	// of any of them would show.
	for _, role := range []string{"org_admin", "viewer"} {
		f.foreign = append(f.foreign, f.freshUser("B", role))
	}
	f.foreign = append(f.foreign, f.org["B"], f.site["B"], f.user["B"], f.freshSiteKey("B")["key_id"], f.freshIntegrationKey("B")["key_id"])
	f.addSSOCallers(t)
	f.pushAndAnalyze(t)
	f.foreign = append(f.foreign, f.auditLog["B"], f.exposure["B"], customProject("B"))
	return f
}

// pushAndAnalyze has each organization's site push an inventory and a
// patch run, applies them, and publishes a security release of a project
// both run, so that each organization has audit logs, modules, history,
// patch runs and an open exposure of its own.
func (f *isoFixture) pushAndAnalyze(t *testing.T) {
	e := f.e
	keys := map[string]string{"A": f.tokens["site_key"]}
	keys["B"] = e.must(201, "POST", "/api/v1/sites/"+f.site["B"]+"/api-keys", e.admin, map[string]any{"name": "push"}).data()["key"].(string)
	for _, org := range []string{"A", "B"} {
		f.auditLog[org] = e.must(202, "POST", "/api/v1/ingest/inventory", keys[org], inventoryBody(org)).data()["id"].(string)
		e.must(202, "POST", "/api/v1/ingest/patch-runs", keys[org], patchRunBody())
	}
	worker := e.svc.Worker
	for worker.RunOnce(context.Background()) > 0 {
	}
	feed, err := os.ReadFile("testdata/aaa_update_test.sec.8.x-1.2.xml")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(e.mirror, "aaa_update_test")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "current"), feed, 0o644); err != nil {
		t.Fatal(err)
	}
	e.must(200, "POST", "/api/v1/admin/feeds/refresh", e.admin, nil)
	for _, org := range []string{"A", "B"} {
		list := e.must(200, "GET", "/api/v1/exposures?organization_id="+f.org[org], e.admin, nil).list()
		if len(list) != 1 {
			t.Fatalf("organization %s has %d exposures, want 1", org, len(list))
		}
		f.exposure[org] = list[0].(map[string]any)["id"].(string)
	}
}

// token returns the credential a caller uses for one call; self operations
// run as a fresh user of the caller's role.
func (f *isoFixture) token(caller string, rc routeCase) string {
	if rc.self && caller == "sso_member" {
		return f.ssoSignIn(f.e.t, f.uniq("sso-self-"))
	}
	if rc.self && roleRank[caller] > 0 && caller != "admin" {
		email := f.uniq("self") + "@a.example"
		f.e.must(201, "POST", "/api/v1/users", f.e.admin, map[string]any{"name": "S", "email": email, "password": testPassword, "role": caller, "organization_id": f.org["A"]})
		return f.e.login(email, testPassword)
	}
	if rc.self && caller == "admin" {
		email := f.uniq("root") + "@a.example"
		f.e.must(201, "POST", "/api/v1/users", f.e.admin, map[string]any{"name": "S", "email": email, "password": testPassword, "role": "admin"})
		return f.e.login(email, testPassword)
	}
	return f.tokens[caller]
}

func fillPath(path string, params map[string]string) string {
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	return path
}

func TestAPI_Isolation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newIsoFixture(t, e)
		doc := e.must(200, "GET", "/api/v1/openapi.json", "", nil).Body
		paths := doc["paths"].(map[string]any)
		var ops []string
		calls := 0
		for _, path := range sortedKeys(paths) {
			for _, method := range sortedKeys(paths[path].(map[string]any)) {
				op := paths[path].(map[string]any)[method].(map[string]any)
				id := op["operationId"].(string)
				ops = append(ops, id)
				rc, ok := routeCases[id]
				if !ok {
					t.Errorf("operation %s (%s %s) has no entry in routeCases: say how the isolation test calls it", id, strings.ToUpper(method), path)
					continue
				}
				minRole, _ := op["x-min-role"].(string)
				if rc.public {
					if minRole != httpapi.AccessPublic {
						t.Errorf("%s is marked public in the test but needs %q", id, minRole)
					}
					continue
				}
				if minRole == httpapi.AccessSite {
					// Pushes name no site: the key is the site. Only a site
					// key gets in, and only for its own site.
					for _, caller := range callers {
						calls++
						var body any
						if rc.body != nil {
							body = rc.body(f, "A")
						}
						r := f.e.do(strings.ToUpper(method), path, f.tokens[caller], body)
						what := fmt.Sprintf("%s as %s", id, caller)
						switch caller {
						case "site_key":
							want := 202
							if method == "get" {
								want = 200
							}
							expectStatus(t, what, r, want)
							for _, id := range f.foreign {
								if strings.Contains(r.Raw, id) {
									t.Errorf("%s: answer shows %s of organization B\n%.300s", what, id, r.Raw)
								}
							}
						case "anonymous":
							expectStatus(t, what, r, 401)
						default:
							expectStatus(t, what, r, 403)
						}
					}
					continue
				}
				need := roleRank[minRole]
				if need == 0 {
					t.Errorf("%s declares no least role (x-min-role %q)", id, minRole)
					continue
				}
				for _, caller := range callers {
					for _, target := range []string{"A", "B"} {
						if rc.self && target == "B" {
							continue
						}
						calls++
						walk(t, f, id, strings.ToUpper(method), path, rc, need, caller, target)
					}
				}
			}
		}
		for id := range routeCases {
			if !contains(ops, id) {
				t.Errorf("routeCases has %s, which the OpenAPI document lacks", id)
			}
		}
		t.Logf("isolation: %d operations, %d calls", len(ops), calls)
	})
}

func walk(t *testing.T, f *isoFixture, id, method, path string, rc routeCase, need int, caller, target string) {
	t.Helper()
	var params map[string]string
	allowed := callerRank[caller] >= need
	if rc.self {
		allowed = roleRank[caller] > 0 || caller == "sso_member"
	}
	own := need
	if rc.ownRank > own {
		own = rc.ownRank
	}
	// Fresh resources are made only for callers that get past the role
	// check, so that a refused call leaves nothing behind.
	if rc.params != nil {
		if allowed || !rc.fresh {
			params = rc.params(f, target)
		} else {
			params = map[string]string{"id": f.org[target], "key_id": f.org[target]}
			if strings.Contains(path, "/sites/") {
				params["id"] = f.site[target]
			} else if strings.Contains(path, "/users/") {
				params["id"] = f.user[target]
			}
		}
	}
	var body any
	if rc.body != nil {
		body = rc.body(f, target)
	}
	url := fillPath(path, params)
	if rc.query != nil {
		url += rc.query(f, target)
	}
	r := f.e.do(method, url, f.token(caller, rc), body)
	what := fmt.Sprintf("%s as %s on %s's resources", id, caller, target)
	success := func() {
		if rc.okStatus != 0 {
			expectStatus(t, what, r, rc.okStatus)
		} else {
			expectSuccess(t, what, r)
		}
	}
	switch {
	case caller == "anonymous":
		expectStatus(t, what, r, 401)
	case caller == "site_key":
		expectStatus(t, what, r, 403)
	case !allowed:
		expectStatus(t, what, r, 403)
	case rc.self && strings.HasPrefix(caller, "integration"):
		expectStatus(t, what, r, 403)
	case caller == "admin":
		success()
	case target == "B" && rc.params != nil:
		expectStatus(t, what, r, 404)
	case target == "A" && callerRank[caller] < own:
		if r.Status != 403 && r.Status != 404 {
			t.Errorf("%s: status %d, want 403 or 404\n%.300s", what, r.Status, r.Raw)
		}
	case target == "B":
		// Lists and creations name no resource: they must not show B, and a
		// creation in B must be refused as if B did not exist.
		if method != "GET" && r.Status < 300 {
			t.Errorf("%s: status %d; a creation in another organization must fail\n%.300s", what, r.Status, r.Raw)
		}
	default:
		success()
	}
	if caller != "admin" {
		for _, id := range f.foreign {
			if strings.Contains(r.Raw, id) {
				t.Errorf("%s: answer shows %s of organization B\n%.300s", what, id, r.Raw)
			}
		}
	}
}

func expectStatus(t *testing.T, what string, r *response, want int) {
	t.Helper()
	if r.Status != want {
		t.Errorf("%s: status %d, want %d\n%.300s", what, r.Status, want, r.Raw)
	}
}

// expectSuccess accepts any answer that is not a refusal: a 2xx, or a 409 or
// 422 about the body the test sent (such as a made-up 2FA code).
func expectSuccess(t *testing.T, what string, r *response) {
	t.Helper()
	if r.Status >= 300 && r.Status != 409 && r.Status != 422 {
		t.Errorf("%s: status %d, want success\n%.300s", what, r.Status, r.Raw)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
