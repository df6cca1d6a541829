package httpapi_test

import (
	"strings"
	"testing"
)

// TestAPI_BadInput sends each kind of bad input and checks it gets a clear
// 4xx in the error shape and changes nothing.
func TestAPI_BadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		sitesBefore := e.must(200, "GET", "/api/v1/sites", e.admin, nil).Body["meta"].(map[string]any)["total"]

		cases := []struct {
			name, method, path string
			body               any
			header             []string
			status             int
			code               string
			pointers           []string // expected error sources, in order
		}{
			{name: "unknown route", method: "GET", path: "/api/v1/nope", status: 404, code: "not_found"},
			{name: "method not allowed", method: "PUT", path: "/api/v1/sites", body: `{}`, status: 405, code: "method_not_allowed"},
			{name: "malformed JSON", method: "POST", path: "/api/v1/sites", body: `{"url": "https://x.example",`, status: 400, code: "bad_request"},
			{name: "wrong content type", method: "POST", path: "/api/v1/sites", body: `url=x`, header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type"},
			{name: "oversized body", method: "POST", path: "/api/v1/sites", body: `{"name":"` + strings.Repeat("a", 70<<10) + `"}`, status: 413, code: "payload_too_large"},
			{name: "unknown field", method: "POST", path: "/api/v1/sites", body: map[string]any{"url": "https://x.example", "name": "x", "organization_id": orgID, "colour": "red"}, status: 422, code: "validation_failed", pointers: []string{"/colour"}},
			{name: "every invalid field", method: "POST", path: "/api/v1/sites", body: map[string]any{"url": "ftp://x.example", "name": "   ", "organization_id": orgID}, status: 422, code: "validation_failed", pointers: []string{"/url", "/name"}},
			{name: "wrong type", method: "POST", path: "/api/v1/sites", body: map[string]any{"url": 12, "name": "x"}, status: 422, code: "validation_failed", pointers: []string{"/url"}},
			{name: "bad email", method: "POST", path: "/api/v1/users", body: map[string]any{"name": "x", "email": "not-an-email", "password": testPassword, "role": "member", "organization_id": orgID}, status: 422, code: "validation_failed", pointers: []string{"/email"}},
			{name: "short password", method: "POST", path: "/api/v1/users", body: map[string]any{"name": "x", "email": "x@example.com", "password": "short", "role": "member", "organization_id": orgID}, status: 422, code: "validation_failed", pointers: []string{"/password"}},
			{name: "invalid uuid in path", method: "GET", path: "/api/v1/sites/not-a-uuid", status: 422, code: "validation_failed"},
			{name: "unknown uuid", method: "GET", path: "/api/v1/sites/0b0e3c4e-9d3a-4c43-8f27-2b7d7f3f0a11", status: 404, code: "not_found"},
			{name: "negative per_page", method: "GET", path: "/api/v1/sites?per_page=-1", status: 422, code: "validation_failed"},
			{name: "huge per_page", method: "GET", path: "/api/v1/sites?per_page=100000", status: 422, code: "validation_failed"},
			{name: "per_page not a number", method: "GET", path: "/api/v1/sites?per_page=ten", status: 422, code: "validation_failed"},
			{name: "unknown sort", method: "GET", path: "/api/v1/sites?sort=password", status: 422, code: "validation_failed"},
			{name: "sql in sort", method: "GET", path: "/api/v1/sites?sort=name;DROP%20TABLE%20sites", status: 422, code: "validation_failed"},
			{name: "no token", method: "GET", path: "/api/v1/sites", status: 401, code: "unauthorized"},
			{name: "bad token", method: "GET", path: "/api/v1/sites", header: []string{"Authorization", "Bearer abc.def.ghi"}, status: 401, code: "unauthorized"},
			{name: "bad password", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"email": "root@example.com", "password": "wrong password"}, status: 401, code: "unauthorized"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				token := e.admin
				if c.code == "unauthorized" {
					token = ""
				}
				r := e.do(c.method, c.path, token, c.body, c.header...)
				assertErrorShape(t, r, c.status, c.code)
				if c.pointers != nil {
					var got []string
					for _, er := range r.errs() {
						src, _ := er["source"].(map[string]any)
						p, _ := src["pointer"].(string)
						got = append(got, p)
					}
					if strings.Join(got, " ") != strings.Join(c.pointers, " ") {
						t.Errorf("error pointers %v, want %v\n%s", got, c.pointers, r.Raw)
					}
				}
				if strings.Contains(r.Raw, "sql") || strings.Contains(r.Raw, "SQLSTATE") {
					t.Errorf("answer leaks internals: %s", r.Raw)
				}
			})
		}
		after := e.must(200, "GET", "/api/v1/sites", e.admin, nil).Body["meta"].(map[string]any)["total"]
		if after != sitesBefore {
			t.Errorf("bad input changed the sites: %v before, %v after", sitesBefore, after)
		}
		if n := e.must(200, "GET", "/api/v1/users", e.admin, nil).Body["meta"].(map[string]any)["total"]; n != 1.0 {
			t.Errorf("bad input created users: %v", n)
		}
	})
}

func TestAPI_HealthAndDocs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		e.must(200, "GET", "/healthz", "", nil)
		if r := e.must(200, "GET", "/readyz", "", nil); r.data()["status"] != "ready" {
			t.Errorf("readyz: %s", r.Raw)
		}
		doc := e.must(200, "GET", "/api/v1/openapi.json", "", nil)
		if v, _ := doc.Body["openapi"].(string); !strings.HasPrefix(v, "3.1") {
			t.Errorf("openapi version %q", v)
		}
		if r := e.do("GET", "/api/v1/docs", "", nil); r.Status != 200 || !strings.Contains(r.Raw, "openapi.json") {
			t.Errorf("docs: %d", r.Status)
		}
		if r := e.do("GET", "/metrics", "", nil); r.Status != 200 || !strings.Contains(r.Raw, "fleetwatch_http_requests_total") {
			t.Errorf("metrics: %d %.200s", r.Status, r.Raw)
		}
	})
}
