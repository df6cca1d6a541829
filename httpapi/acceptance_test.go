package httpapi_test

import (
	"strings"
	"testing"
	"time"
)

func TestAPI_RiskAcceptance(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		f := newIsoFixture(t, e)
		id := f.exposure["A"]
		path := "/api/v1/exposures/" + id + "/acceptance"
		dueOf := func() time.Time {
			d, err := time.Parse(time.RFC3339, e.must(200, "GET", "/api/v1/exposures/"+id, e.admin, nil).data()["due_at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		before := dueOf()
		expires := e.clock.Now().Add(10 * 24 * time.Hour).UTC().Truncate(time.Second)

		// Only org admins accept, with a reason and a near future expiry.
		assertErrorShape(t, e.do("POST", path, f.tokens["member"], map[string]any{"justification": "x", "expires_at": expires}), 403, "forbidden")
		bad := e.do("POST", path, f.tokens["org_admin"], map[string]any{"justification": "  ", "expires_at": e.clock.Now().Add(-time.Hour)})
		assertErrorShape(t, bad, 422, "validation_failed")
		if len(bad.errs()) != 2 {
			t.Errorf("want both fields reported: %s", bad.Raw)
		}
		assertErrorShape(t, e.do("POST", path, f.tokens["org_admin"], map[string]any{"justification": "x", "expires_at": e.clock.Now().AddDate(2, 0, 0)}), 422, "validation_failed")
		assertErrorShape(t, e.do("GET", path, f.tokens["viewer"], nil), 404, "not_found")
		if !dueOf().Equal(before) {
			t.Fatal("refused acceptances moved the due date")
		}

		acc := e.must(201, "POST", path, f.tokens["org_admin"], map[string]any{"justification": "Vendor fix due next sprint", "expires_at": expires}).data()
		if acc["justification"] != "Vendor fix due next sprint" || acc["accepted_by"] == nil {
			t.Errorf("acceptance %v", acc)
		}
		// People by name, not id.
		if acc["accepted_by_name"] != "org_admin@a.example" || acc["revoked_by_name"] != nil {
			t.Errorf("accepted_by_name %v, revoked_by_name %v", acc["accepted_by_name"], acc["revoked_by_name"])
		}
		// The clock pauses: the due date moves by the accepted period.
		shifted := dueOf()
		if got := shifted.Sub(before); got < 9*24*time.Hour || got > 10*24*time.Hour+time.Minute {
			t.Errorf("due date moved by %v, want about 10 days", got)
		}
		e.must(200, "GET", path, f.tokens["viewer"], nil)
		// The exposure says until when, and the list filters on it in one query.
		untilOf := func() any {
			return e.must(200, "GET", "/api/v1/exposures/"+id, f.tokens["viewer"], nil).data()["accepted_until"]
		}
		if got, _ := untilOf().(string); got != expires.Format(time.RFC3339) {
			t.Errorf("accepted_until = %v, want %s", untilOf(), expires.Format(time.RFC3339))
		}
		listed := func(query string) map[string]any {
			out := map[string]any{}
			for _, x := range e.must(200, "GET", "/api/v1/exposures?state=open&"+query, f.tokens["viewer"], nil).list() {
				out[x.(map[string]any)["id"].(string)] = x.(map[string]any)["accepted_until"]
			}
			return out
		}
		if got := listed("accepted=true"); len(got) != 1 || got[id] == nil {
			t.Errorf("accepted=true lists %v, want only %s with its accepted_until", got, id)
		}
		if _, ok := listed("accepted=false")[id]; ok {
			t.Error("accepted=false lists the accepted exposure")
		}
		if got := listed(""); got[id] == nil {
			t.Errorf("the unfiltered list lacks accepted_until: %v", got)
		}
		assertErrorShape(t, e.do("GET", "/api/v1/exposures?accepted=maybe", f.tokens["viewer"], nil), 422, "validation_failed")
		assertErrorShape(t, e.do("POST", path, f.tokens["org_admin"], map[string]any{"justification": "again", "expires_at": expires}), 409, "conflict")

		// Revoked after 3 days: the unused 7 come off again.
		e.clock.Advance(3 * 24 * time.Hour)
		f.tokens["org_admin"] = e.login("org_admin@a.example", testPassword) // the old token expired
		e.admin = e.login("root@example.com", testPassword)
		f.tokens["viewer"] = e.login("viewer@a.example", testPassword)
		e.must(204, "DELETE", path, f.tokens["org_admin"], nil)
		if got := dueOf().Sub(before); got < 2*24*time.Hour || got > 3*24*time.Hour+time.Minute {
			t.Errorf("after revocation the due date is %v after the original, want about 3 days", got)
		}
		assertErrorShape(t, e.do("DELETE", path, f.tokens["org_admin"], nil), 404, "not_found")
		if untilOf() != nil {
			t.Errorf("a revoked acceptance still shows accepted_until %v", untilOf())
		}
		if got := listed("accepted=true"); len(got) != 0 {
			t.Errorf("accepted=true after revocation lists %v", got)
		}

		acts := e.must(200, "GET", "/api/v1/activity?organization_id="+f.org["A"], e.admin, nil).Raw
		for _, a := range []string{"exposure.accepted", "exposure.acceptance_revoked"} {
			if !strings.Contains(acts, a) {
				t.Errorf("activity lacks %s", a)
			}
		}
	})
}
