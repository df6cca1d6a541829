package httpapi_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/fleetwatch/fleetwatch/webui"
)

// withDashboard serves a small built dashboard outside the API.
func withDashboard(c *httpapi.Config) {
	c.Dashboard = webui.NewHandler(fstest.MapFS{
		"index.html":         {Data: []byte(`<!doctype html><title>Fleetwatch</title><div id="root"></div><script type="module" src="/assets/app-1234.js"></script>`)},
		"assets/app-1234.js": {Data: []byte(`console.log("app")`)},
	})
}

// TestAPI_UnknownRoutes checks that whatever no route and no dashboard page
// answers (a path under /api, another method, a missing file) is a 404 or
// 405 in the API's error shape, while the dashboard's client-side routes
// still get its page.
func TestAPI_UnknownRoutes(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, store *sqlstore.Store) {
		e := newEnv(t, store, withDashboard)
		for _, c := range []struct {
			method, path string
			status       int
			allow        string
		}{
			{"GET", "/api/v1/nope", 404, ""},
			{"GET", "/api/v1", 404, ""},
			{"GET", "/api/v2/sites", 404, ""},
			{"GET", "/api", 404, ""},
			{"GET", "/api/", 404, ""},
			{"POST", "/api/v2/sites", 404, ""},
			{"GET", "/assets/app-0000.js", 404, ""},
			{"GET", "/wp-login.php", 404, ""},
			{"HEAD", "/assets/gone.css", 404, ""},
			{"DELETE", "/api/v1/sites", 405, "GET, POST"},
			{"POST", "/healthz", 405, "GET"},
			{"POST", "/sites", 405, "GET, HEAD"},
			{"PUT", "/", 405, "GET, HEAD"},
		} {
			t.Run(c.method+" "+c.path, func(t *testing.T) {
				r := e.do(c.method, c.path, e.admin, nil)
				if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
					t.Fatalf("Content-Type %q, want JSON (status %d): %s", r.Header.Get("Content-Type"), r.Status, r.Raw)
				}
				if c.method == "HEAD" {
					if r.Status != c.status {
						t.Fatalf("status %d, want %d", r.Status, c.status)
					}
					return
				}
				code := "not_found"
				if c.status == 405 {
					code = "method_not_allowed"
				}
				assertErrorShape(t, r, c.status, code)
				if got := r.Header.Get("Allow"); got != c.allow {
					t.Errorf("Allow %q, want %q", got, c.allow)
				}
			})
		}
		// The dashboard's own routes and files still answer.
		for _, p := range []string{"/", "/sites", "/sites/0b0e3c4e-9d3a-4c43-8f27-2b7d7f3f0a11", "/admin/users?page=2"} {
			r := e.do("GET", p, "", nil)
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Raw, `<div id="root">`) {
				t.Errorf("GET %s: %d %s, want the dashboard's page", p, r.Status, r.Header.Get("Content-Type"))
			}
		}
		if r := e.do("GET", "/assets/app-1234.js", "", nil); r.Status != 200 || r.Raw != `console.log("app")` {
			t.Errorf("GET an asset: %d %q", r.Status, r.Raw)
		}
	})
}

// A path or query that is not UTF-8 is refused in the API's error shape
// before it reaches a service (PostgreSQL would refuse the bytes).
func TestAPI_InvalidUTF8(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		for _, path := range []string{"/api/v1/modules/%D2H/versions", "/api/v1/auth/sso/%AF/start", "/api/v1/sites?q=%B3"} {
			assertErrorShape(t, e.do("GET", path, e.admin, nil), 400, "invalid_encoding")
		}
	})
}
