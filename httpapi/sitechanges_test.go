package httpapi_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"
)

// TestAPI_SiteChanges checks a site's change log: one row per change of
// what it ran (added, upgraded, downgraded, removed), none for what stayed,
// each with the push that reported it and, when a patch run installed that
// version, the run; filters, paging, sort, CSV, bad parameters, and
// another organization's site not found.
func TestAPI_SiteChanges(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		acme := e.createOrg("Acme")
		other := e.createOrg("Other")
		siteID, key := e.site(acme, "one")
		otherSite, otherKey := e.site(other, "two")
		viewer := e.createUser("v@acme.example", "viewer", acme)
		outsider := e.createUser("v@other.example", "viewer", other)
		mod := func(name, version string) map[string]any {
			return map[string]any{"name": name, "version": version, "source": "custom"}
		}
		t0 := time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)
		t1 := t0.Add(2 * time.Hour)
		first := e.must(202, "POST", "/api/v1/ingest/inventory", key, map[string]any{"collected_at": t0.Format(time.RFC3339),
			"modules": []any{mod("ctools", "4.0.0"), mod("token", "1.0.0"), mod("pathauto", "1.2.0"), mod("old_mod", "1.0.0")}}).data()["id"]
		e.must(202, "POST", "/api/v1/ingest/inventory", otherKey, map[string]any{"modules": []any{mod("ctools", "4.0.0")}})
		e.must(202, "POST", "/api/v1/ingest/patch-runs", key, map[string]any{"finished_at": t0.Add(time.Hour).Format(time.RFC3339),
			"status": "succeeded", "tool": "drush",
			"changes": []any{map[string]any{"name": "ctools", "from_version": "4.0.0", "to_version": "4.1.0"}}})
		e.drain()
		second := e.must(202, "POST", "/api/v1/ingest/inventory", key, map[string]any{"collected_at": t1.Format(time.RFC3339),
			"modules": []any{mod("ctools", "4.1.0"), mod("token", "1.0.0"), mod("pathauto", "1.1.0"), mod("new_mod", "2.0.0")}}).data()["id"]
		e.drain()
		run := e.must(200, "GET", "/api/v1/sites/"+siteID+"/patch-runs", viewer, nil).list()[0].(map[string]any)

		r := e.must(200, "GET", "/api/v1/sites/"+siteID+"/changes", viewer, nil)
		var got []string
		for _, it := range r.list() {
			c := it.(map[string]any)
			by := "push " + fmt.Sprint(c["audit_log_kind"])
			if c["patch_run_id"] != nil {
				by = fmt.Sprintf("run %v %v", c["patch_run_tool"], c["patch_run_status"])
				if c["patch_run_id"] != run["id"] {
					t.Errorf("%v: patch run %v, want %v", c["module"], c["patch_run_id"], run["id"])
				}
			}
			want := first
			if c["at"] == t1.Format(time.RFC3339) {
				want = second
			}
			if c["audit_log_id"] != want {
				t.Errorf("%v at %v: audit log %v, want %v", c["module"], c["at"], c["audit_log_id"], want)
			}
			got = append(got, fmt.Sprintf("%v %v %v→%v by %s", c["module"], c["type"], c["from_version"], c["to_version"], by))
		}
		want := []string{
			// t1, newest first; then t0. Within a time, the newest row first.
			"new_mod added →2.0.0 by push inventory",
			"old_mod removed 1.0.0→ by push inventory",
			"pathauto downgraded 1.2.0→1.1.0 by push inventory",
			"ctools upgraded 4.0.0→4.1.0 by run drush succeeded",
		}
		if len(got) != 8 || fmt.Sprint(sorted(got[:4])) != fmt.Sprint(sorted(want)) {
			t.Fatalf("changes:\n%q\nwant 8, the first 4 in any order:\n%q", got, want)
		}
		for _, g := range got[4:] {
			if g[len(g)-len("by push inventory"):] != "by push inventory" {
				t.Errorf("first push: %q", g)
			}
		}
		if total := r.Body["meta"].(map[string]any)["total"].(float64); total != 8 {
			t.Errorf("total %v, want 8", total)
		}

		// Filters, sort and paging.
		q := url.Values{"module": {"ctools"}}
		if got := e.must(200, "GET", "/api/v1/sites/"+siteID+"/changes?"+q.Encode(), viewer, nil).list(); len(got) != 2 {
			t.Errorf("ctools: %v", got)
		}
		q = url.Values{"since": {t0.Add(time.Minute).Format(time.RFC3339)}}
		if got := e.must(200, "GET", "/api/v1/sites/"+siteID+"/changes?"+q.Encode(), viewer, nil).list(); len(got) != 4 {
			t.Errorf("since: %d rows, want 4", len(got))
		}
		q = url.Values{"until": {t1.Format(time.RFC3339)}, "sort": {"module"}, "per_page": {"3"}, "page": {"2"}}
		page := e.must(200, "GET", "/api/v1/sites/"+siteID+"/changes?"+q.Encode(), viewer, nil)
		if l := page.list(); len(l) != 1 || l[0].(map[string]any)["module"] != "token" || page.Body["meta"].(map[string]any)["total"].(float64) != 4 {
			t.Errorf("until, by module, page 2 of 3: %s", page.Raw)
		}

		// CSV: every row, the cause in columns.
		rows := readCSV(t, e.do("GET", "/api/v1/sites/"+siteID+"/changes?format=csv&per_page=2", viewer, nil))
		if len(rows) != 9 || indexOf(rows[0], "patch_run_id") < 0 || indexOf(rows[0], "audit_log_id") < 0 {
			t.Errorf("CSV: %d rows, header %v", len(rows), rows[0])
		}

		// Bad parameters: a clear error, in the error shape.
		for _, bad := range []string{"since=yesterday", "sort=version", "per_page=0",
			"since=" + url.QueryEscape(t1.Format(time.RFC3339)) + "&until=" + url.QueryEscape(t0.Format(time.RFC3339))} {
			r := e.do("GET", "/api/v1/sites/"+siteID+"/changes?"+bad, viewer, nil)
			if r.Status != 422 && r.Status != 400 {
				t.Errorf("%s: %d %s", bad, r.Status, r.Raw)
			}
			if len(r.errs()) == 0 {
				t.Errorf("%s: no error in %s", bad, r.Raw)
			}
		}
		// Another organization's site does not exist for them, nor theirs for us.
		assertErrorShape(t, e.do("GET", "/api/v1/sites/"+siteID+"/changes", outsider, nil), 404, "not_found")
		assertErrorShape(t, e.do("GET", "/api/v1/sites/"+otherSite+"/changes", viewer, nil), 404, "not_found")
		assertErrorShape(t, e.do("GET", "/api/v1/sites/"+siteID+"/changes", key, nil), 403, "forbidden")
	})
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
