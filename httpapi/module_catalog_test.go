package httpapi_test

import (
	"testing"
)

// TestAPI_ModuleCatalogCounts checks the catalog counts, per project, the
// sites the caller can see and how many of them need a security update of
// it, and sorts by that.
func TestAPI_ModuleCatalogCounts(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newIsoFixture(t, e)
		counts := func(tok, query string) map[string][2]float64 {
			t.Helper()
			out := map[string][2]float64{}
			for _, it := range e.must(200, "GET", "/api/v1/modules"+query, tok, nil).list() {
				m := it.(map[string]any)
				out[m["name"].(string)] = [2]float64{m["sites_count"].(float64), m["security_sites_count"].(float64)}
			}
			return out
		}
		if got := counts(f.tokens["viewer"], "?q=aaa_update"); got["aaa_update_test"] != [2]float64{1, 1} || len(got) != 1 {
			t.Errorf("viewer of A: %v, want aaa_update_test on 1 site, 1 needing a security update", got)
		}
		if got := counts(e.admin, "?q=aaa_update"); got["aaa_update_test"] != [2]float64{2, 2} {
			t.Errorf("admin: %v, want 2 sites, 2 needing a security update", got)
		}
		if got := counts(f.tokens["viewer"], ""); got["drupal"] != [2]float64{1, 0} {
			t.Errorf("viewer of A, core: %v, want 1 site, none needing a security update", got["drupal"])
		}
		first := e.must(200, "GET", "/api/v1/modules?sort=-security_sites_count,name", f.tokens["viewer"], nil).list()
		if len(first) == 0 || first[0].(map[string]any)["name"] != "aaa_update_test" {
			t.Errorf("sorted by security sites, first %v", first)
		}
		one := e.must(200, "GET", "/api/v1/modules/aaa_update_test", f.tokens["viewer"], nil).data()
		if one["security_sites_count"] != float64(1) {
			t.Errorf("get-module: security_sites_count %v", one["security_sites_count"])
		}
	})
}

// TestAPI_FleetSiteModules checks the fleet-wide list of what sites run:
// filtered like a site's list, bounded by the caller's organization.
func TestAPI_FleetSiteModules(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newIsoFixture(t, e)
		sites := func(tok, query string) map[string]int {
			t.Helper()
			out := map[string]int{}
			for _, it := range e.must(200, "GET", "/api/v1/site-modules"+query, tok, nil).list() {
				m := it.(map[string]any)
				out[m["site_id"].(string)+" "+m["name"].(string)]++
			}
			return out
		}
		insecure := "?security_update=true"
		if got := sites(f.tokens["viewer"], insecure); len(got) != 1 || got[f.site["A"]+" aaa_update_test"] != 1 {
			t.Errorf("viewer of A, security updates: %v", got)
		}
		if got := sites(e.admin, insecure); len(got) != 2 || got[f.site["B"]+" aaa_update_test"] != 1 {
			t.Errorf("admin, security updates: %v", got)
		}
		if got := sites(e.admin, insecure+"&organization_id="+f.org["B"]); len(got) != 1 || got[f.site["B"]+" aaa_update_test"] != 1 {
			t.Errorf("admin, organization B: %v", got)
		}
		// Another organization's id is as unknown as a made-up one.
		assertErrorShape(t, e.do("GET", "/api/v1/site-modules?organization_id="+f.org["B"], f.tokens["viewer"], nil), 404, "not_found")
		for _, it := range e.must(200, "GET", "/api/v1/site-modules?update_available=true&security_update=false", f.tokens["viewer"], nil).list() {
			m := it.(map[string]any)
			if m["security_update"] != false || m["update_available"] != true || m["site_id"] != f.site["A"] {
				t.Errorf("other updates: %v", m)
			}
		}
	})
}
