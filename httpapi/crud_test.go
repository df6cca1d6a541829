package httpapi_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestAPI_OrganizationCRUD(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		r := e.must(201, "POST", "/api/v1/organizations", e.admin, map[string]any{"name": "  Acme Agency ", "tax_id": "DE123"})
		org := r.data()
		if org["name"] != "Acme Agency" || org["tax_id"] != "DE123" || org["is_active"] != true {
			t.Fatalf("created %v", org)
		}
		if org["created_by"] == nil || org["created_by"] != org["updated_by"] {
			t.Errorf("created_by/updated_by not filled: %v", org)
		}
		id := org["id"].(string)

		got := e.must(200, "GET", "/api/v1/organizations/"+id, e.admin, nil).data()
		if got["name"] != "Acme Agency" {
			t.Errorf("get: %v", got)
		}
		upd := e.must(200, "PATCH", "/api/v1/organizations/"+id, e.admin, map[string]any{"name": "Acme", "is_active": false}).data()
		if upd["name"] != "Acme" || upd["is_active"] != false || upd["tax_id"] != "DE123" {
			t.Errorf("patch: %v", upd)
		}
		e.must(204, "DELETE", "/api/v1/organizations/"+id, e.admin, nil)
		assertErrorShape(t, e.do("GET", "/api/v1/organizations/"+id, e.admin, nil), 404, "not_found")
		assertErrorShape(t, e.do("DELETE", "/api/v1/organizations/"+id, e.admin, nil), 404, "not_found")
		if n := len(e.must(200, "GET", "/api/v1/organizations", e.admin, nil).list()); n != 0 {
			t.Errorf("deleted organization still listed (%d)", n)
		}
	})
}

func TestAPI_SiteCRUD(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		member := e.createUser("dev@acme.example", "member", orgID)

		// A member creates a site in their own organization without naming it.
		site := e.must(201, "POST", "/api/v1/sites", member, map[string]any{"url": "https://www.acme.example/", "name": "Acme www"}).data()
		if site["organization_id"] != orgID || site["url"] != "https://www.acme.example" {
			t.Fatalf("created %v", site)
		}
		id := site["id"].(string)
		upd := e.must(200, "PATCH", "/api/v1/sites/"+id, member, map[string]any{"description": "Main site", "is_active": false}).data()
		if upd["description"] != "Main site" || upd["is_active"] != false || upd["name"] != "Acme www" {
			t.Errorf("patch: %v", upd)
		}
		// Members may not delete; org admins may.
		assertErrorShape(t, e.do("DELETE", "/api/v1/sites/"+id, member, nil), 403, "forbidden")
		e.must(204, "DELETE", "/api/v1/sites/"+id, e.admin, nil)
		assertErrorShape(t, e.do("GET", "/api/v1/sites/"+id, member, nil), 404, "not_found")
		if r := e.must(200, "GET", "/api/v1/sites", member, nil); r.Body["meta"].(map[string]any)["total"] != 0.0 {
			t.Errorf("deleted site counted: %s", r.Raw)
		}
	})
}

func TestAPI_UserCRUD(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		u := e.must(201, "POST", "/api/v1/users", e.admin, map[string]any{
			"name": "Ann", "email": "Ann@Acme.example", "password": testPassword, "role": "org_admin", "organization_id": orgID,
		}).data()
		if _, leaked := u["hashed_password"]; leaked || strings.Contains(fmt.Sprint(u), "$2a$") {
			t.Fatalf("password hash leaked: %v", u)
		}
		if u["organization_id"] != orgID || u["role"] != "org_admin" {
			t.Fatalf("created %v", u)
		}
		// E-mails are unique whatever their case.
		dup := e.do("POST", "/api/v1/users", e.admin, map[string]any{"name": "A2", "email": "ann@acme.EXAMPLE", "password": testPassword, "role": "member", "organization_id": orgID})
		assertErrorShape(t, dup, 409, "conflict")

		// The new user signs in with any case of their e-mail.
		tok := e.login("ann@acme.example", testPassword)
		me := e.must(200, "GET", "/api/v1/auth/me", tok, nil).data()
		if me["id"] != u["id"] || me["last_login"] == nil {
			t.Errorf("me: %v", me)
		}
		id := u["id"].(string)
		e.must(200, "PATCH", "/api/v1/users/"+id, e.admin, map[string]any{"role": "viewer"})
		e.must(204, "DELETE", "/api/v1/users/"+id, e.admin, nil)
		// A deleted user's token dies at once.
		assertErrorShape(t, e.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized")
	})
}

func TestAPI_ListConventions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		for i := range 7 {
			e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{
				"url": fmt.Sprintf("https://s%d.example.org", i), "name": fmt.Sprintf("Site %d", i), "organization_id": orgID,
			})
		}
		e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": "https://odd.example.org", "name": "100% _odd_ name", "organization_id": orgID})

		r := e.must(200, "GET", "/api/v1/sites?per_page=3&page=2&sort=-name", e.admin, nil)
		meta := r.Body["meta"].(map[string]any)
		if meta["total"] != 8.0 || meta["page"] != 2.0 || meta["per_page"] != 3.0 {
			t.Errorf("meta %v", meta)
		}
		names := []string{}
		for _, s := range r.list() {
			names = append(names, s.(map[string]any)["name"].(string))
		}
		if strings.Join(names, ",") != "Site 3,Site 2,Site 1" {
			t.Errorf("page 2 sorted by -name = %v", names)
		}
		links := r.Body["links"].(map[string]any)
		for _, k := range []string{"self", "first", "prev", "next", "last"} {
			if _, ok := links[k].(string); !ok {
				t.Errorf("links.%s missing: %v", k, links)
			}
		}
		last, _ := url.Parse(links["last"].(string))
		if last.Query().Get("page") != "3" || last.Query().Get("sort") != "-name" {
			t.Errorf("links.last = %s", links["last"])
		}

		// q matches LIKE metacharacters literally and treats SQL as text.
		for q, want := range map[string]int{"100%": 1, "_odd_": 1, "%": 1, "site": 7, "'; DROP TABLE sites; --": 0} {
			r := e.must(200, "GET", "/api/v1/sites?q="+url.QueryEscape(q), e.admin, nil)
			if got := int(r.Body["meta"].(map[string]any)["total"].(float64)); got != want {
				t.Errorf("q=%q: %d sites, want %d", q, got, want)
			}
		}
		if n := e.must(200, "GET", "/api/v1/sites", e.admin, nil).Body["meta"].(map[string]any)["total"]; n != 8.0 {
			t.Errorf("sites after SQL-ish search: %v", n)
		}
		// is_active filters.
		one := e.must(200, "GET", "/api/v1/sites?per_page=1", e.admin, nil).list()[0].(map[string]any)
		e.must(200, "PATCH", "/api/v1/sites/"+one["id"].(string), e.admin, map[string]any{"is_active": false})
		inactive := e.must(200, "GET", "/api/v1/sites?is_active=false", e.admin, nil).list()
		if len(inactive) != 1 || inactive[0].(map[string]any)["id"] != one["id"] {
			t.Errorf("is_active=false listed %v", inactive)
		}
	})
}
