package httpapi_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

// TestAPI_Reports reads every report over real pushes, patch runs and
// exposures in two organizations, as a user of one of them.
func TestAPI_Reports(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newIsoFixture(t, e)
		e.clock.Advance(time.Minute) // the reports' clock, past the real time the analysis ran at
		tok := f.tokens["viewer"]
		// Read before the acceptance, so that a cached answer would show.
		if r := e.must(200, "GET", "/api/v1/reports/security-updates", tok, nil).list(); len(r) != 1 || r[0].(map[string]any)["sla_state"] == "accepted" {
			t.Fatalf("before the acceptance: %v", r)
		}
		e.must(200, "GET", "/api/v1/reports/summary", tok, nil)
		risk := e.must(200, "GET", "/api/v1/reports/site-risk", tok, nil).list()
		if len(risk) != 1 {
			t.Fatalf("site risk before the acceptance: %v", risk)
		}
		if r := risk[0].(map[string]any); r["site_id"] != f.site["A"] || r["security_updates"] != 1.0 || r["accepted"] != 0.0 || r["next_due_at"] == nil {
			t.Errorf("site risk before the acceptance: %v", r)
		}
		e.must(201, "POST", "/api/v1/exposures/"+f.exposure["A"]+"/acceptance", f.tokens["org_admin"],
			map[string]any{"justification": "Mitigated by WAF", "expires_at": time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)})

		sum := e.must(200, "GET", "/api/v1/reports/summary", tok, nil).data()
		for field, want := range map[string]float64{"sites": 1, "security_updates": 1, "accepted_exposures": 1, "sites_with_security_updates": 1} {
			if sum[field] != want {
				t.Errorf("summary %s = %v, want %v (%v)", field, sum[field], want, sum)
			}
		}
		fleet := e.must(200, "GET", "/api/v1/reports/summary", e.admin, nil).data()
		if fleet["security_updates"].(float64) < 2 {
			t.Errorf("admin's summary sees %v security updates, want both organizations'", fleet["security_updates"])
		}

		// The accepted risk: counted, not past due, no next deadline; the admin sees both
		// organizations' sites, riskiest first.
		risk = e.must(200, "GET", "/api/v1/reports/site-risk", tok, nil).list()
		if r := risk[0].(map[string]any); len(risk) != 1 || r["security_updates"] != 1.0 || r["accepted"] != 1.0 || r["past_due"] != 0.0 || r["next_due_at"] != nil {
			t.Errorf("site risk after the acceptance: %v", risk)
		}
		all := e.must(200, "GET", "/api/v1/reports/site-risk", e.admin, nil).list()
		if len(all) != 2 || all[0].(map[string]any)["risk"].(float64) < all[1].(map[string]any)["risk"].(float64) {
			t.Errorf("the admin's site risk: %v", all)
		}
		assertErrorShape(t, e.do("GET", "/api/v1/reports/site-risk?sort=nope", tok, nil), 422, "validation_failed")

		rows := e.must(200, "GET", "/api/v1/reports/security-updates", tok, nil).list()
		if len(rows) != 1 {
			t.Fatalf("%d security updates", len(rows))
		}
		r := rows[0].(map[string]any)
		if r["project"] != "aaa_update_test" || r["installed_version"] != "8.x-1.0" || r["sla_state"] != "accepted" || r["site_id"] != f.site["A"] {
			t.Errorf("security update row %v", r)
		}

		days := e.must(200, "GET", "/api/v1/reports/trends?from="+time.Now().UTC().AddDate(0, 0, -6).Format(time.DateOnly), tok, nil).list()
		if len(days) != 7 {
			t.Fatalf("%d days of trend, want 7", len(days))
		}
		if today := days[6].(map[string]any); today["open_security_updates"] != 1.0 || today["new_exposures"] != 1.0 {
			t.Errorf("today's trend %v", today)
		}

		usage := e.must(200, "GET", "/api/v1/reports/module-usage?project=aaa_update_test", tok, nil).list()
		if len(usage) != 1 || usage[0].(map[string]any)["security_update"] != true {
			t.Errorf("module usage %v", usage)
		}
		versions := e.must(200, "GET", "/api/v1/reports/module-usage/versions?project=aaa_update_test", tok, nil).list()
		if len(versions) != 1 || versions[0].(map[string]any)["insecure"] != 1.0 {
			t.Errorf("module versions %v", versions)
		}
		runs := e.must(200, "GET", "/api/v1/reports/patch-runs", tok, nil).list()
		if len(runs) != 1 || runs[0].(map[string]any)["site_id"] != f.site["A"] {
			t.Errorf("patch runs %v", runs)
		}
		e.must(200, "GET", "/api/v1/reports/sla-compliance?from="+time.Now().UTC().AddDate(0, 0, -90).Format(time.DateOnly), tok, nil)

		// A report as CSV, opened as a spreadsheet would.
		c := e.do("GET", "/api/v1/reports/security-updates?format=csv", tok, nil)
		recs, err := csv.NewReader(strings.NewReader(c.Raw)).ReadAll()
		if err != nil || len(recs) != 2 || recs[0][0] != "exposure_id" {
			t.Errorf("CSV: %v %q", err, recs)
		}

		// A patch run to the fixed version, then the push that shows it: the
		// run is credited with the exposure it closed.
		run := patchRunBody()
		run["changes"] = []map[string]any{{"name": "aaa_update_test", "from_version": "8.x-1.0", "to_version": "8.x-1.2"}}
		e.must(202, "POST", "/api/v1/ingest/patch-runs", f.tokens["site_key"], run)
		inv := inventoryBody("A")
		inv["modules"].([]map[string]any)[1]["version"] = "8.x-1.2"
		e.must(202, "POST", "/api/v1/ingest/inventory", f.tokens["site_key"], inv)
		worker := e.svc.Worker
		for worker.RunOnce(context.Background()) > 0 {
		}
		e.clock.Advance(time.Minute)
		if r := e.must(200, "GET", "/api/v1/exposures/"+f.exposure["A"], tok, nil).data(); r["state"] != "resolved" {
			t.Fatalf("exposure after the update: %v", r)
		}
		runs = e.must(200, "GET", "/api/v1/reports/patch-runs", tok, nil).list()
		closed := runs[0].(map[string]any)["exposures_closed"].([]any)
		if len(closed) != 1 || closed[0] != f.exposure["A"] {
			t.Errorf("newest patch run closed %v, want the exposure %s", closed, f.exposure["A"])
		}

		// Bad filters are refused in words.
		for _, q := range []string{"?from=last-week", "?from=2020-01-01", "?site_id=not-a-uuid"} {
			if r := e.do("GET", "/api/v1/reports/summary"+q, tok, nil); r.Status != 422 {
				t.Errorf("summary%s: %d", q, r.Status)
			}
		}
	})
}
