package httpapi_test

import (
	"context"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestAPI_Exposures reads GET /exposures as users of two organizations
// would: what an exposure says, every filter, paging, CSV, the exposure
// resolved by an upgrade, and bad filters refused in the error shape.
func TestAPI_Exposures(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newIsoFixture(t, e)
		tok := f.tokens["viewer"]
		list := func(token, query string) ([]map[string]any, float64) {
			t.Helper()
			r := e.must(200, "GET", "/api/v1/exposures"+query, token, nil)
			var out []map[string]any
			for _, item := range r.list() {
				out = append(out, item.(map[string]any))
			}
			meta, _ := r.Body["meta"].(map[string]any)
			total, _ := meta["total"].(float64)
			return out, total
		}

		// What one exposure says.
		mine, total := list(tok, "")
		if len(mine) != 1 || total != 1 {
			t.Fatalf("viewer of A sees %d exposures (total %v), want 1", len(mine), total)
		}
		x := mine[0]
		if x["id"] != f.exposure["A"] || x["site_id"] != f.site["A"] || x["organization_id"] != f.org["A"] ||
			x["project"] != "aaa_update_test" || x["installed_version"] != "8.x-1.0" || x["state"] != "open" {
			t.Errorf("exposure %v", x)
		}
		if fixed, _ := x["fixed_by"].([]any); len(fixed) != 1 || fixed[0] != "8.x-1.2" {
			t.Errorf("fixed_by %v, want [8.x-1.2]", x["fixed_by"])
		}
		severity, _ := x["severity"].(string)
		if severity == "" || x["sla_status"] == "" || x["resolved_at"] != nil {
			t.Errorf("severity %v, sla_status %v, resolved_at %v", x["severity"], x["sla_status"], x["resolved_at"])
		}
		due, err := time.Parse(time.RFC3339, x["due_at"].(string))
		if err != nil {
			t.Fatalf("due_at %v: %v", x["due_at"], err)
		}
		detected, err := time.Parse(time.RFC3339, x["detected_at"].(string))
		if err != nil || !due.After(detected) {
			t.Errorf("detected_at %v, due_at %v", x["detected_at"], x["due_at"])
		}
		if got := e.must(200, "GET", "/api/v1/exposures/"+f.exposure["A"], tok, nil).data(); got["id"] != f.exposure["A"] || got["due_at"] != x["due_at"] {
			t.Errorf("GET /exposures/{id} = %v, want the listed one", got)
		}

		// Every filter, matching and not.
		other := "not_critical"
		if severity == other {
			other = "highly_critical"
		}
		for query, want := range map[string]int{
			"?state=open":                    1,
			"?state=resolved":                0,
			"?project=aaa_update_test":       1,
			"?project=drupal":                0,
			"?severity=" + severity:          1,
			"?severity=" + other:             0,
			"?site_id=" + f.site["A"]:        1,
			"?site_id=" + f.site["B"]:        0, // another organization's site: nothing of it
			"?organization_id=" + f.org["A"]: 1,
			"?organization_id=" + f.org["B"]: 0,
			"?overdue=true":                  0,
			"?overdue=false":                 1,
			"?q=aaa_update":                  1,
			"?state=open&project=aaa_update_test&severity=" + severity + "&site_id=" + f.site["A"]: 1,
		} {
			if got, total := list(tok, query); len(got) != want || int(total) != want {
				t.Errorf("%s: %d exposures (total %v), want %d", query, len(got), total, want)
			}
		}

		// The admin sees both organizations, a page at a time.
		all, total := list(e.admin, "?sort=project,-due_at")
		if len(all) != 2 || total != 2 {
			t.Fatalf("admin sees %d exposures (total %v), want 2", len(all), total)
		}
		page1, total := list(e.admin, "?per_page=1&sort=due_at")
		page2, _ := list(e.admin, "?per_page=1&page=2&sort=due_at")
		if len(page1) != 1 || len(page2) != 1 || total != 2 || page1[0]["id"] == page2[0]["id"] {
			t.Errorf("pages of one: %v and %v (total %v)", page1, page2, total)
		}
		if got, _ := list(e.admin, "?organization_id="+f.org["B"]); len(got) != 1 || got[0]["id"] != f.exposure["B"] {
			t.Errorf("admin's list of B: %v", got)
		}

		// Past the due date it is overdue, and says so.
		e.clock.Advance(time.Until(due) + time.Hour)
		tok, e.admin = e.login("viewer@a.example", testPassword), e.login("root@example.com", testPassword) // days later
		if got, _ := list(tok, "?overdue=true"); len(got) != 1 || got[0]["sla_status"] != "breached" {
			t.Errorf("overdue after the due date: %v", got)
		}
		if got, _ := list(tok, "?overdue=false"); len(got) != 0 {
			t.Errorf("overdue=false after the due date: %v", got)
		}

		// As CSV, opened as a spreadsheet would.
		c := e.do("GET", "/api/v1/exposures?format=csv", tok, nil)
		recs, err := csv.NewReader(strings.NewReader(c.Raw)).ReadAll()
		if c.Status != 200 || err != nil || len(recs) != 2 || !strings.Contains(strings.Join(recs[0], ","), "due_at") ||
			!strings.Contains(strings.Join(recs[1], ","), f.exposure["A"]) {
			t.Errorf("CSV: %d %v %q", c.Status, err, recs)
		}

		// The upgrade resolves it; the filters follow.
		inv := inventoryBody("A")
		inv["modules"].([]map[string]any)[1]["version"] = "8.x-1.2"
		e.must(202, "POST", "/api/v1/ingest/inventory", f.tokens["site_key"], inv)
		worker := e.svc.Worker
		for worker.RunOnce(context.Background()) > 0 {
		}
		if got, _ := list(tok, "?state=open"); len(got) != 0 {
			t.Errorf("open after the upgrade: %v", got)
		}
		resolved, _ := list(tok, "?state=resolved")
		if len(resolved) != 1 || resolved[0]["id"] != f.exposure["A"] || resolved[0]["resolved_at"] == nil ||
			resolved[0]["resolved_version"] != "8.x-1.2" || resolved[0]["sla_outcome"] == nil {
			t.Errorf("resolved after the upgrade: %v", resolved)
		}

		// Bad filters are refused in words, and change nothing.
		for _, q := range []string{"?state=closed", "?severity=urgent", "?overdue=maybe", "?site_id=not-a-uuid",
			"?organization_id=42", "?sort=password", "?per_page=0", "?per_page=501", "?page=0",
			"?project=" + url.QueryEscape("drop table;"), "?project=" + strings.Repeat("a", 200)} {
			assertErrorShape(t, e.do("GET", "/api/v1/exposures"+q, tok, nil), 422, "")
		}
		if got, total := list(e.admin, ""); len(got) != 2 || total != 2 {
			t.Errorf("after the bad requests the admin sees %d exposures (total %v), want 2", len(got), total)
		}
		assertErrorShape(t, e.do("GET", "/api/v1/exposures", "", nil), 401, "")
	})
}
