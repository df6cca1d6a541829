package httpapi_test

import (
	"testing"
)

func TestDeactivation_UserSessionsEnd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		tok := e.createUser("ann@acme.example", "member", orgID)
		refresh := e.lastRefresh
		user := "/api/v1/users/" + e.must(200, "GET", "/api/v1/auth/me", tok, nil).data()["id"].(string)

		e.must(200, "PATCH", user, e.admin, map[string]any{"is_active": false})
		assertErrorShape(t, e.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized")
		assertErrorShape(t, e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}), 401, "unauthorized")
		assertErrorShape(t, e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "ann@acme.example", "password": testPassword}), 401, "unauthorized")

		// Reactivation does not bring the old tokens back: a new sign-in does.
		e.must(200, "PATCH", user, e.admin, map[string]any{"is_active": true})
		assertErrorShape(t, e.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized")
		assertErrorShape(t, e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}), 401, "unauthorized")
		e.must(200, "GET", "/api/v1/auth/me", e.login("ann@acme.example", testPassword), nil)
	})
}

func TestDeactivation_Organization(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		orgID := e.createOrg("Acme")
		member := e.createUser("ann@acme.example", "member", orgID)
		refresh := e.lastRefresh
		platformAdmin := e.createUser("ops@acme.example", "admin", orgID)
		siteID, siteKey := e.site(orgID, "acme")
		integration := e.must(201, "POST", "/api/v1/organizations/"+orgID+"/api-keys", e.admin, map[string]any{"name": "ci", "scope": "read"}).data()["key"].(string)
		otherOrg := e.createOrg("Other")
		bystander := e.createUser("bob@other.example", "member", otherOrg)
		_, otherKey := e.site(otherOrg, "other")
		inv := fixtureInventory(t, "boston-gov")
		// A push before: its key is now remembered by the push route.
		e.must(202, "POST", "/api/v1/ingest/inventory", siteKey, inv)

		e.must(200, "PATCH", "/api/v1/organizations/"+orgID, e.admin, map[string]any{"is_active": false})

		// Its users are signed out and cannot sign in.
		assertErrorShape(t, e.do("GET", "/api/v1/auth/me", member, nil), 401, "unauthorized")
		assertErrorShape(t, e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}), 401, "unauthorized")
		assertErrorShape(t, e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "ann@acme.example", "password": testPassword}), 401, "unauthorized")
		// Its keys are refused; a push is stored nowhere.
		assertErrorShape(t, e.do("POST", "/api/v1/ingest/inventory", siteKey, inv), 403, "organization_inactive")
		assertErrorShape(t, e.do("GET", "/api/v1/sites", integration, nil), 403, "organization_inactive")
		if n := e.must(200, "GET", "/api/v1/audit-logs?site_id="+siteID, e.admin, nil).Body["meta"].(map[string]any)["total"].(float64); n != 1 {
			t.Errorf("%v pushes stored, want only the one from before the deactivation", n)
		}
		// Platform admins still see it, even one who belongs to it.
		for _, tok := range []string{e.admin, platformAdmin} {
			if d := e.must(200, "GET", "/api/v1/organizations/"+orgID, tok, nil).data(); d["is_active"] != false {
				t.Errorf("organization as the admin sees it: %v", d)
			}
			e.must(200, "GET", "/api/v1/sites/"+siteID, tok, nil)
			e.must(200, "GET", "/api/v1/sites/"+siteID+"/modules", tok, nil)
		}
		e.login("ops@acme.example", testPassword)
		// Other organizations go on as before.
		e.must(200, "GET", "/api/v1/auth/me", bystander, nil)
		e.must(202, "POST", "/api/v1/ingest/inventory", otherKey, inv)

		// Reactivated: keys work again, users sign in afresh.
		e.must(200, "PATCH", "/api/v1/organizations/"+orgID, e.admin, map[string]any{"is_active": true})
		e.must(202, "POST", "/api/v1/ingest/inventory", siteKey, inv)
		e.must(200, "GET", "/api/v1/sites", integration, nil)
		assertErrorShape(t, e.do("GET", "/api/v1/auth/me", member, nil), 401, "unauthorized")
		e.login("ann@acme.example", testPassword)
	})
}
