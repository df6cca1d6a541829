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
