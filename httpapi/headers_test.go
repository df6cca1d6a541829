package httpapi_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(policy string) map[string][]string {
	out := map[string][]string{}
	for _, d := range strings.Split(policy, ";") {
		f := strings.Fields(d)
		if len(f) > 0 {
			out[f[0]] = f[1:]
		}
	}
	return out
}

// TestAPI_SecurityHeaders checks every kind of answer (JSON, error, CSV,
// the dashboard's page, the docs, metrics) carries a Content-Security-Policy
// that runs only the server's own scripts and forbids framing, and the
// other headers that keep browsers from sniffing or leaking.
func TestAPI_SecurityHeaders(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, store *sqlstore.Store) {
		e := newEnv(t, store, withDashboard)
		for _, c := range []struct{ method, path, token string }{
			{"GET", "/api/v1/sites", e.admin},
			{"GET", "/api/v1/sites?format=csv", e.admin},
			{"GET", "/api/v1/sites", ""}, // 401
			{"GET", "/api/v1/nope", ""},
			{"PUT", "/api/v1/sites", e.admin},
			{"POST", "/api/v1/auth/login", ""},
			{"GET", "/api/v1/openapi.json", ""},
			{"GET", "/api/v1/docs", ""},
			{"GET", "/api/v1/docs.js", ""},
			{"GET", "/healthz", ""},
			{"GET", "/readyz", ""},
			{"GET", "/metrics", ""},
			{"GET", "/", ""},
			{"GET", "/sites/x", ""},
			{"GET", "/assets/app-1234.js", ""},
			{"GET", "/assets/missing.js", ""},
		} {
			r := e.do(c.method, c.path, c.token, nil)
			csp := cspDirectives(r.Header.Get("Content-Security-Policy"))
			where := c.method + " " + c.path
			if got := strings.Join(csp["default-src"], " "); got != "'self'" {
				t.Errorf("%s: default-src %q, want 'self' (CSP %q)", where, got, r.Header.Get("Content-Security-Policy"))
			}
			if got := strings.Join(csp["frame-ancestors"], " "); got != "'none'" {
				t.Errorf("%s: frame-ancestors %q, want 'none'", where, got)
			}
			scripts, ok := csp["script-src"]
			if !ok {
				scripts = csp["default-src"]
			}
			for _, src := range scripts {
				if src != "'self'" {
					t.Errorf("%s: script-src allows %s", where, src)
				}
			}
			if got := strings.Join(csp["object-src"], " "); got != "'none'" {
				t.Errorf("%s: object-src %q, want 'none'", where, got)
			}
			for h, want := range map[string]string{
				"X-Content-Type-Options": "nosniff",
				"X-Frame-Options":        "DENY",
				"Referrer-Policy":        "same-origin",
			} {
				if got := r.Header.Get(h); got != want {
					t.Errorf("%s: %s %q, want %q", where, h, got, want)
				}
			}
		}
	})
}

// TestAPI_DocsWithoutInlineScript checks the API docs page runs under the
// policy: no inline script, style or event handler, and the files it
// loads instead are served with their types.
func TestAPI_DocsWithoutInlineScript(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, store *sqlstore.Store) {
		e := newEnv(t, store)
		page := e.must(200, "GET", "/api/v1/docs", "", nil)
		if !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("docs: Content-Type %q", page.Header.Get("Content-Type"))
		}
		html := page.Raw
		scripts := regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`).FindAllStringSubmatch(html, -1)
		if len(scripts) == 0 {
			t.Errorf("docs page loads no script")
		}
		for _, m := range scripts {
			if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
				t.Errorf("docs page has an inline script: %.80q", m[0])
			}
		}
		for _, bad := range []*regexp.Regexp{
			regexp.MustCompile(`(?i)<style`),
			regexp.MustCompile(`(?i)\sstyle\s*=`),
			regexp.MustCompile(`(?i)\son[a-z]+\s*=`),
			regexp.MustCompile(`(?i)javascript:`),
		} {
			if m := bad.FindString(html); m != "" {
				t.Errorf("docs page has inline code: %q", m)
			}
		}
		refs := regexp.MustCompile(`(?i)<(?:script|link)[^>]*\s(?:src|href)="([^"]+)"`).FindAllStringSubmatch(html, -1)
		types := map[string]string{}
		for _, m := range refs {
			r := e.do("GET", "/api/v1/"+m[1], "", nil)
			if r.Status != 200 || r.Raw == "" {
				t.Errorf("docs page loads %s: %d", m[1], r.Status)
			}
			types[m[1]] = r.Header.Get("Content-Type")
		}
		if !strings.HasPrefix(types["docs.js"], "text/javascript") || !strings.HasPrefix(types["docs.css"], "text/css") {
			t.Errorf("docs page files: %v, want docs.js and docs.css with their types", types)
		}
		js := e.must(200, "GET", "/api/v1/docs.js", "", nil).Raw
		for _, bad := range []string{"eval(", "new Function", "style=", "setAttribute('on", "javascript:"} {
			if strings.Contains(js, bad) {
				t.Errorf("docs.js uses %q, which the policy forbids or which needs inline style", bad)
			}
		}
		if !strings.Contains(js, "openapi.json") {
			t.Errorf("docs.js does not load the OpenAPI document")
		}
	})
}
