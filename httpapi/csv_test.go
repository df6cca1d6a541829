package httpapi_test

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestAPI_CSV(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": "https://a.example", "name": "=HYPERLINK(\"x\")", "organization_id": orgID})
		e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": "https://b.example", "name": "Beta, \"quoted\"", "organization_id": orgID})

		for _, how := range []struct{ path, accept string }{
			{"/api/v1/sites?sort=url", "text/csv"},
			{"/api/v1/sites?sort=url&format=csv", ""},
		} {
			r := e.do("GET", how.path, e.admin, nil, "Accept", how.accept)
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%s: %d %s", how.path, r.Status, r.Header.Get("Content-Type"))
			}
			if !strings.Contains(r.Header.Get("Content-Disposition"), `filename="fleetwatch-sites.csv"`) {
				t.Errorf("Content-Disposition %q", r.Header.Get("Content-Disposition"))
			}
			rows, err := csv.NewReader(strings.NewReader(r.Raw)).ReadAll()
			if err != nil {
				t.Fatalf("not CSV: %v\n%s", err, r.Raw)
			}
			if len(rows) != 3 || rows[0][0] != "id" || !contains(rows[0], "organization_id") || !contains(rows[0], "url") {
				t.Fatalf("rows %q", rows)
			}
			name := indexOf(rows[0], "name")
			if rows[1][name] != `'=HYPERLINK("x")` || rows[2][name] != `Beta, "quoted"` {
				t.Errorf("names %q %q", rows[1][name], rows[2][name])
			}
		}
		// Errors stay JSON.
		r := e.do("GET", "/api/v1/sites?per_page=0&format=csv", e.admin, nil)
		assertErrorShape(t, r, 422, "validation_failed")
	})
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestAPI_CSVFilename checks a download is named after the route that
// answered, whatever the path: a crafted path parameter cannot reach the
// Content-Disposition header.
func TestAPI_CSVFilename(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		site := e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": "https://a.example", "name": "A", "organization_id": orgID}).data()["id"].(string)
		for _, c := range []struct{ path, want string }{
			{"/api/v1/sites?format=csv", "fleetwatch-sites.csv"},
			{"/api/v1/sites/" + site + "/modules?format=csv", "fleetwatch-sites-modules.csv"},
		} {
			r := e.do("GET", c.path, e.admin, nil)
			if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
				t.Fatalf("%s: %d %s %s", c.path, r.Status, r.Header.Get("Content-Type"), r.Raw)
			}
			if got, want := r.Header.Get("Content-Disposition"), `attachment; filename="`+c.want+`"`; got != want {
				t.Errorf("%s: Content-Disposition %q, want %q", c.path, got, want)
			}
			if r.Header.Get("X-Evil") != "" {
				t.Errorf("%s: a header was injected", c.path)
			}
		}
		// A crafted path answers an error (JSON), which names no download.
		for _, c := range []struct {
			path   string
			status int
		}{
			{`/api/v1/modules/x%22%3B%20filename%3D%22evil.bat%0D%0AX-Evil:%201/sites?format=csv`, 404},
			{`/api/v1/sites/x%22%3B%20filename%3D%22evil.bat/modules?format=csv`, 422},
			{`/api/v1/nope%22%3B%20filename%3D%22evil.bat?format=csv`, 404},
		} {
			r := e.do("GET", c.path, e.admin, nil)
			assertErrorShape(t, r, c.status, "")
			if cd := r.Header.Get("Content-Disposition"); cd != "" {
				t.Errorf("%s: an error answer has Content-Disposition %q", c.path, cd)
			}
		}
	})
}
