package httpapi_test

import (
	"testing"
	"time"
)

// TestAPI_SiteStanding reads GET /ingest/standing as the Drupal connector
// does: each site key sees its own site's open security update, past due
// once the clock passes the deadline; a site without exposures sees none;
// user credentials are refused.
func TestAPI_SiteStanding(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newIsoFixture(t, e)
		keyB := e.must(201, "POST", "/api/v1/sites/"+f.site["B"]+"/api-keys", e.admin, map[string]any{"name": "connector"}).data()["key"].(string)
		quiet := f.freshSite("B")
		keyQuiet := e.must(201, "POST", "/api/v1/sites/"+quiet+"/api-keys", e.admin, map[string]any{"name": "connector"}).data()["key"].(string)
		dueOf := func(org string) time.Time {
			t.Helper()
			x := e.must(200, "GET", "/api/v1/exposures/"+f.exposure[org], e.admin, nil).data()
			due, err := time.Parse(time.RFC3339, x["due_at"].(string))
			if err != nil {
				t.Fatalf("due_at %v: %v", x["due_at"], err)
			}
			return due
		}

		for org, key := range map[string]string{"A": f.tokens["site_key"], "B": keyB} {
			st := e.must(200, "GET", "/api/v1/ingest/standing", key, nil).data()
			if st["site_id"] != f.site[org] || st["security_updates"] != 1.0 || st["past_due"] != 0.0 ||
				st["nearest_project"] != "aaa_update_test" || st["last_seen_at"] == nil {
				t.Errorf("standing of %s's site = %v, want its one open exposure, not past due", org, st)
			}
			got, err := time.Parse(time.RFC3339, st["nearest_due_at"].(string))
			if want := dueOf(org); err != nil || !got.Equal(want) {
				t.Errorf("nearest_due_at of %s = %v, want %v", org, st["nearest_due_at"], want)
			}
		}
		st := e.must(200, "GET", "/api/v1/ingest/standing", keyQuiet, nil).data()
		if st["site_id"] != quiet || st["security_updates"] != 0.0 || st["past_due"] != 0.0 || st["nearest_due_at"] != nil || st["last_seen_at"] != nil {
			t.Errorf("standing of a site that never pushed = %v, want nothing outstanding", st)
		}

		// Past the deadline the update counts as past due.
		e.clock.Advance(time.Until(dueOf("B")) + time.Hour)
		st = e.must(200, "GET", "/api/v1/ingest/standing", keyB, nil).data()
		if st["security_updates"] != 1.0 || st["past_due"] != 1.0 {
			t.Errorf("standing past the deadline = %v, want 1 outstanding, 1 past due", st)
		}

		// Only a site key may ask; a bad key is 401 in the error shape.
		assertErrorShape(t, e.do("GET", "/api/v1/ingest/standing", f.tokens["integration_read"], nil), 403, "forbidden")
		assertErrorShape(t, e.do("GET", "/api/v1/ingest/standing", "fwk_not-a-key", nil), 401, "unauthorized")
	})
}
