package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// ingestEnv is an API with the ingest routes and a worker the test drives.
type ingestEnv struct {
	*env
	worker *service.Worker
}

func forEachIngestBackend(t *testing.T, fn func(t *testing.T, e *ingestEnv)) {
	sqlstoretest.ForEach(t, func(t *testing.T, store *sqlstore.Store) {
		fn(t, newIngestEnv(t, store))
	})
}

func newIngestEnv(t *testing.T, store *sqlstore.Store) *ingestEnv {
	t.Helper()
	e := newEnv(t, store)
	return &ingestEnv{env: e, worker: &service.Worker{Store: store, Logger: e.logger, BatchSize: 50}}
}

// drain applies every queued payload.
func (e *ingestEnv) drain() {
	e.t.Helper()
	for e.worker.RunOnce(context.Background()) > 0 {
	}
}

// site creates an organization's site with a key and returns the site id
// and the key.
func (e *ingestEnv) site(orgID, name string) (string, string) {
	e.t.Helper()
	id := e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"name": name, "url": "https://" + name + ".example", "organization_id": orgID}).data()["id"].(string)
	key := e.must(201, "POST", "/api/v1/sites/"+id+"/api-keys", e.admin, map[string]any{"name": "push"}).data()["key"].(string)
	return id, key
}

// fixtureInventory turns a site fixture (../../shared/fixtures/sites) into
// an inventory payload.
func fixtureInventory(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sites", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var fx struct {
		Core     string `json:"drupal_core_version"`
		Packages []struct {
			Name, Version, Type string
			DrupalOrgVersion    string `json:"drupal_org_version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	mods := []any{map[string]any{"name": "drupal", "type": "core", "version": fx.Core}}
	for _, p := range fx.Packages {
		typ := strings.TrimPrefix(p.Type, "drupal-")
		if typ != "module" && typ != "theme" && typ != "profile" {
			continue
		}
		v := p.DrupalOrgVersion
		if v == "" {
			v = p.Version
		}
		mods = append(mods, map[string]any{"name": strings.TrimPrefix(p.Name, "drupal/"), "type": typ, "version": v, "some_new_field": 1})
	}
	return map[string]any{"collected_at": time.Now().UTC().Add(-time.Minute).Format(time.RFC3339), "drupal": map[string]any{"core_version": fx.Core, "php_version": "8.3.1"}, "modules": mods, "agent": "test/1"}
}

func TestIngest_Inventory(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		org := e.createOrg("Acme")
		siteID, key := e.site(org, "boston")
		inv := fixtureInventory(t, "boston-gov")
		inv["snapshot_id"] = "6b0f5a1e-1111-4c2b-9d7e-000000000001"

		r := e.must(202, "POST", "/api/v1/ingest/inventory", key, inv)
		logID := r.data()["id"].(string)
		if r.data()["status"] != "queued" {
			t.Fatalf("answer %s", r.Raw)
		}
		// Same snapshot_id: the same answer, nothing new stored.
		again := e.must(202, "POST", "/api/v1/ingest/inventory", key, inv)
		if again.data()["id"] != logID || again.data()["duplicate"] != true {
			t.Fatalf("repeat answered %s", again.Raw)
		}
		e.drain()

		l := e.must(200, "GET", "/api/v1/audit-logs/"+logID, e.admin, nil).data()
		if l["status"] != "processed" {
			t.Fatalf("audit log %v", l)
		}
		mods := e.must(200, "GET", "/api/v1/sites/"+siteID+"/modules?per_page=500", e.admin, nil)
		n := int(mods.Body["meta"].(map[string]any)["total"].(float64))
		if n < 150 {
			t.Fatalf("site runs %d projects, want the fixture's", n)
		}
		// Pushing it again (new snapshot) duplicates nothing.
		delete(inv, "snapshot_id")
		e.must(202, "POST", "/api/v1/ingest/inventory", key, inv)
		e.drain()
		mods2 := e.must(200, "GET", "/api/v1/sites/"+siteID+"/modules?per_page=500", e.admin, nil)
		if got := int(mods2.Body["meta"].(map[string]any)["total"].(float64)); got != n {
			t.Fatalf("after a second push the site runs %d projects, want %d", got, n)
		}
		ctools := e.must(200, "GET", "/api/v1/modules/ctools", e.admin, nil).data()
		if ctools["drupal_link"] != "https://www.drupal.org/project/ctools" || ctools["sites_count"].(float64) != 1 {
			t.Fatalf("module %v", ctools)
		}
		sitesOf := e.must(200, "GET", "/api/v1/modules/ctools/sites", e.admin, nil).list()
		if len(sitesOf) != 1 || sitesOf[0].(map[string]any)["site_id"] != siteID {
			t.Fatalf("sites of ctools %v", sitesOf)
		}
		hist := e.must(200, "GET", "/api/v1/sites/"+siteID+"/history?per_page=1", e.admin, nil)
		if got := int(hist.Body["meta"].(map[string]any)["total"].(float64)); got != n {
			t.Fatalf("history now has %d entries, want %d", got, n)
		}
		past := time.Now().Add(-24 * time.Hour).UTC().Format(time.RFC3339)
		if got := e.must(200, "GET", "/api/v1/sites/"+siteID+"/history?at="+past, e.admin, nil).list(); len(got) != 0 {
			t.Fatalf("history yesterday %v", got)
		}
		site := e.must(200, "GET", "/api/v1/sites/"+siteID, e.admin, nil).data()
		if site["core_version"] != "10.3.6" || site["php_version"] != "8.3.1" || site["last_seen_at"] == nil {
			t.Fatalf("site %v", site)
		}
	})
}

func TestIngest_BadInput(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		org := e.createOrg("Acme")
		_, key := e.site(org, "one")
		mod := func(name, version string) map[string]any { return map[string]any{"name": name, "version": version} }
		many := make([]any, 100000)
		for i := range many {
			many[i] = mod(fmt.Sprintf("m%d", i), "1.0.0")
		}
		future := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
		for _, tc := range []struct {
			name, path, key string
			body            any
			status          int
			code            string
		}{
			{"UnknownKey", "/ingest/inventory", "fwk_nope", map[string]any{}, 401, "unauthorized"},
			{"UserToken", "/ingest/inventory", e.admin, map[string]any{}, 403, "forbidden"},
			{"MalformedJSON", "/ingest/inventory", key, `{"modules": [`, 422, "validation_failed"},
			{"NotAnObject", "/ingest/inventory", key, `[1,2]`, 422, "validation_failed"},
			{"WrongType", "/ingest/inventory", key, `{"modules": [{"name": "x", "version": 5}]}`, 422, "validation_failed"},
			{"TooLarge", "/ingest/inventory", key, `{"modules": [` + strings.Repeat(`{"name":"abcdefgh","version":"1.0.0"},`, 60000) + `{}]}`, 413, "payload_too_large"},
			{"TooMany", "/ingest/inventory", key, map[string]any{"modules": many[:6000]}, 422, "validation_failed"},
			{"EmptyName", "/ingest/inventory", key, map[string]any{"modules": []any{mod("", "1.0")}}, 422, "validation_failed"},
			{"ControlChars", "/ingest/inventory", key, map[string]any{"modules": []any{mod("token", "1.0\x00\x07")}}, 422, "validation_failed"},
			{"HugeVersion", "/ingest/inventory", key, map[string]any{"modules": []any{mod("token", strings.Repeat("1", 10240))}}, 422, "validation_failed"},
			{"Duplicate", "/ingest/inventory", key, map[string]any{"modules": []any{mod("token", "1.0.0"), mod("token", "1.0.1")}}, 422, "validation_failed"},
			{"Future", "/ingest/inventory", key, map[string]any{"collected_at": future, "modules": []any{mod("token", "1.0.0")}}, 422, "validation_failed"},
			{"LockNotJSON", "/ingest/composer-lock", key, `not json`, 422, "validation_failed"},
			{"LockNoDrupal", "/ingest/composer-lock", key, `{"packages": [{"name": "symfony/console", "version": "v6.4.1", "type": "library"}]}`, 422, "validation_failed"},
			{"PatchRunBadStatus", "/ingest/patch-runs", key, map[string]any{"status": "maybe", "changes": []any{}}, 422, "validation_failed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("POST", "/api/v1"+tc.path, tc.key, tc.body)
				assertErrorShape(t, r, tc.status, tc.code)
			})
		}
		if _, total, err := e.store.FindAuditLogs(context.Background(), fleetwatch.AuditLogFilter{ListOptions: fleetwatch.ListOptions{PerPage: 50}}); err != nil || total != 0 {
			t.Fatalf("bad input stored %d payloads (%v)", total, err)
		}
	})
}

func TestIngest_PatchRunsAndRetry(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		acme := e.createOrg("Acme")
		other := e.createOrg("Other")
		siteID, key := e.site(acme, "one")
		otherSite, _ := e.site(other, "two")
		member := e.createUser("m@acme.example", "member", acme)

		run := map[string]any{"run_id": "r1", "started_at": time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
			"finished_at": time.Now().Add(-50 * time.Minute).UTC().Format(time.RFC3339), "status": "succeeded", "tool": "drush",
			"changes": []any{map[string]any{"name": "ctools", "from_version": "4.0.0", "to_version": "4.1.0"}}}
		e.must(202, "POST", "/api/v1/ingest/patch-runs", key, run)
		e.must(202, "POST", "/api/v1/ingest/patch-runs", key, run)
		e.drain()
		manual := map[string]any{"status": "partial", "changes": []any{map[string]any{"name": "token", "to_version": "8.x-1.15"}}, "notes": "by hand"}
		created := e.must(201, "POST", "/api/v1/sites/"+siteID+"/patch-runs", member, manual).data()
		if created["tool"] != "manual" || created["recorded_by"] == nil {
			t.Fatalf("manual run %v", created)
		}
		// Another organization's site is not found.
		assertErrorShape(t, e.do("POST", "/api/v1/sites/"+otherSite+"/patch-runs", member, manual), 404, "not_found")
		runs := e.must(200, "GET", "/api/v1/sites/"+siteID+"/patch-runs", member, nil)
		if len(runs.list()) != 2 {
			t.Fatalf("runs %s", runs.Raw)
		}
		if got := e.must(200, "GET", "/api/v1/patch-runs", member, nil).list(); len(got) != 2 {
			t.Fatalf("all runs %v", got)
		}
		assertErrorShape(t, e.do("GET", "/api/v1/sites/"+otherSite+"/patch-runs", member, nil), 404, "not_found")

		// A payload that fails processing stays visible and can be retried;
		// it does not stop the worker.
		site, err := e.store.FindSiteByUUID(context.Background(), siteID)
		if err != nil {
			t.Fatal(err)
		}
		badLog := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindPatchRun, Data: []byte(`{"status": 12}`)}
		if err := e.store.EnqueueAuditLogs(context.Background(), []*fleetwatch.AuditLog{badLog}); err != nil {
			t.Fatal(err)
		}
		bad := badLog.UUID
		e.must(202, "POST", "/api/v1/ingest/patch-runs", key, map[string]any{"status": "failed", "changes": []any{}})
		e.drain()
		failed := e.must(200, "GET", "/api/v1/audit-logs?status=failed", member, nil).list()
		if len(failed) != 1 || failed[0].(map[string]any)["id"] != bad || failed[0].(map[string]any)["error"] == "" {
			t.Fatalf("failed %v", failed)
		}
		if got := e.must(200, "GET", "/api/v1/audit-logs?status=processed", member, nil).list(); len(got) != 2 {
			t.Fatalf("processed %v", got)
		}
		retried := e.must(200, "POST", "/api/v1/audit-logs/"+bad+"/retry", member, nil).data()
		if retried["status"] != "queued" {
			t.Fatalf("retried %v", retried)
		}
		e.drain()
		if got := e.must(200, "GET", "/api/v1/audit-logs/"+bad, member, nil).data(); got["status"] != "failed" || got["attempts"].(float64) != 2 {
			t.Fatalf("retried log %v", got)
		}
		processed := e.must(200, "GET", "/api/v1/audit-logs?status=processed", member, nil).list()[0].(map[string]any)["id"].(string)
		assertErrorShape(t, e.do("POST", "/api/v1/audit-logs/"+processed+"/retry", member, nil), 409, "conflict")
		// The other organization sees none of it.
		outsider := e.createUser("o@other.example", "org_admin", other)
		if got := e.must(200, "GET", "/api/v1/audit-logs", outsider, nil).list(); len(got) != 0 {
			t.Fatalf("outsider sees %v", got)
		}
		assertErrorShape(t, e.do("GET", "/api/v1/audit-logs/"+bad, outsider, nil), 404, "not_found")
	})
}

func TestIngest_Isolation(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		acme := e.createOrg("Acme")
		other := e.createOrg("Other")
		siteID, key := e.site(acme, "one")
		e.must(202, "POST", "/api/v1/ingest/inventory", key, map[string]any{"modules": []any{
			map[string]any{"name": "drupal", "type": "core", "version": "10.3.6"},
			map[string]any{"name": "acme_secret", "version": "1.0.0", "source": "custom"},
		}})
		e.drain()
		viewer := e.createUser("v@other.example", "viewer", other)
		assertErrorShape(t, e.do("GET", "/api/v1/sites/"+siteID+"/modules", viewer, nil), 404, "not_found")
		assertErrorShape(t, e.do("GET", "/api/v1/sites/"+siteID+"/history", viewer, nil), 404, "not_found")
		assertErrorShape(t, e.do("GET", "/api/v1/modules/acme_secret", viewer, nil), 404, "not_found")
		assertErrorShape(t, e.do("GET", "/api/v1/modules/acme_secret/sites", viewer, nil), 404, "not_found")
		if got := e.must(200, "GET", "/api/v1/modules", viewer, nil).list(); len(got) != 0 {
			t.Fatalf("outsider sees modules %v", got)
		}
		insider := e.createUser("v@acme.example", "viewer", acme)
		m := e.must(200, "GET", "/api/v1/modules/acme_secret", insider, nil).data()
		if m["source"] != "custom" || m["drupal_link"] != "" {
			t.Fatalf("custom module %v", m)
		}
		// A site key reads nothing.
		assertErrorShape(t, e.do("GET", "/api/v1/modules", key, nil), 403, "forbidden")
	})
}

// TestIngest_SiteModulesCached checks that the cached answers of a site's
// module list are the answers computed, and that any change is visible on
// the next request: a push, a rename, a deletion; and that the cache keeps
// organizations apart and CSV apart.
func TestIngest_SiteModulesCached(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		org := e.createOrg("Acme")
		other := e.createOrg("Other")
		siteID, key := e.site(org, "boston")
		inv := fixtureInventory(t, "boston-gov")
		e.must(202, "POST", "/api/v1/ingest/inventory", key, inv)
		e.drain()
		path := "/api/v1/sites/" + siteID + "/modules?per_page=20&sort=-name"
		first := e.must(200, "GET", path, e.admin, nil)
		second := e.must(200, "GET", path, e.admin, nil)
		if first.Raw != second.Raw {
			t.Fatalf("a repeated answer differs:\n%s\n%s", first.Raw, second.Raw)
		}
		total := int(first.Body["meta"].(map[string]any)["total"].(float64))

		// A push with one project less and ctools at another version.
		var mods []any
		for _, m := range inv["modules"].([]any) {
			mm := m.(map[string]any)
			switch mm["name"] {
			case "token":
				continue
			case "ctools":
				mm = map[string]any{"name": "ctools", "type": mm["type"], "version": "4.0.0"}
			}
			mods = append(mods, mm)
		}
		inv["modules"] = mods
		inv["collected_at"] = time.Now().UTC().Format(time.RFC3339)
		e.must(202, "POST", "/api/v1/ingest/inventory", key, inv)
		e.drain()
		after := e.must(200, "GET", "/api/v1/sites/"+siteID+"/modules?per_page=500", e.admin, nil)
		if got := int(after.Body["meta"].(map[string]any)["total"].(float64)); got != total-1 {
			t.Errorf("after the push the list has %d projects, want %d", got, total-1)
		}
		for _, m := range after.list() {
			mm := m.(map[string]any)
			if mm["name"] == "ctools" && mm["version"] != "4.0.0" {
				t.Errorf("ctools at %v after the push, want 4.0.0", mm["version"])
			}
		}
		if again := e.must(200, "GET", path, e.admin, nil); again.Raw == first.Raw {
			t.Errorf("the page cached before the push is still served")
		}

		// A rename shows in every row; every row names its organization.
		e.must(200, "PATCH", "/api/v1/sites/"+siteID, e.admin, map[string]any{"name": "Boston renamed"})
		for _, m := range e.must(200, "GET", path, e.admin, nil).list() {
			if mm := m.(map[string]any); mm["site_name"] != "Boston renamed" || mm["organization_id"] != org {
				t.Fatalf("site_name %v, organization_id %v after the rename; want Boston renamed, %s", mm["site_name"], mm["organization_id"], org)
			}
		}

		// Another organization's viewer gets 404 for a cached page; CSV is CSV.
		outsider := e.createUser("viewer@other.example", "viewer", other)
		assertErrorShape(t, e.do("GET", path, outsider, nil), 404, "not_found")
		csv := e.do("GET", path+"&format=csv", e.admin, nil)
		if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || strings.HasPrefix(csv.Raw, "{") {
			t.Errorf("CSV of a cached page: %d %s %.80s", csv.Status, csv.Header.Get("Content-Type"), csv.Raw)
		}

		// A deleted site is gone at once.
		e.must(204, "DELETE", "/api/v1/sites/"+siteID, e.admin, nil)
		assertErrorShape(t, e.do("GET", path, e.admin, nil), 404, "not_found")
	})
}

// TestIngest_SiteModulesSessionChecks checks the module list's own reading
// of the access token's session (it reads it with the site): a logout, a
// deactivation and an unknown site each answer as on every other route,
// and API keys keep working.
func TestIngest_SiteModulesSessionChecks(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		org := e.createOrg("Acme")
		siteID, _ := e.site(org, "boston")
		path := "/api/v1/sites/" + siteID + "/modules"

		viewer := e.createUser("viewer@acme.example", "viewer", org)
		e.must(200, "GET", path, viewer, nil)
		assertErrorShape(t, e.do("GET", "/api/v1/sites/00000000-0000-4000-8000-000000000000/modules", viewer, nil), 404, "not_found")
		e.must(204, "POST", "/api/v1/auth/logout", viewer, nil)
		r := e.do("GET", path, viewer, nil)
		assertErrorShape(t, r, 401, "unauthorized")
		if r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("401 without WWW-Authenticate")
		}
		// Revoked before the site is looked at: an unknown site says 401 too.
		assertErrorShape(t, e.do("GET", "/api/v1/sites/00000000-0000-4000-8000-000000000000/modules", viewer, nil), 401, "unauthorized")

		member := e.createUser("member@acme.example", "member", org)
		e.must(200, "GET", path, member, nil)
		me := e.must(200, "GET", "/api/v1/auth/me", member, nil).data()
		e.must(200, "PATCH", "/api/v1/users/"+me["id"].(string), e.admin, map[string]any{"is_active": false})
		assertErrorShape(t, e.do("GET", path, member, nil), 401, "unauthorized")

		assertErrorShape(t, e.do("GET", path, "not-a-token", nil), 401, "unauthorized")
		assertErrorShape(t, e.do("GET", path, "", nil), 401, "unauthorized")
		key := e.must(201, "POST", "/api/v1/organizations/"+org+"/api-keys", e.admin, map[string]any{"name": "dash", "scope": "read"}).data()["key"].(string)
		e.must(200, "GET", path, key, nil)
		other := e.createOrg("Other")
		otherKey := e.must(201, "POST", "/api/v1/organizations/"+other+"/api-keys", e.admin, map[string]any{"name": "dash", "scope": "read"}).data()["key"].(string)
		assertErrorShape(t, e.do("GET", path, otherKey, nil), 404, "not_found")
	})
}

// TestIngest_KeyRevokedAfterUse: the push routes remember site keys found
// valid, yet a key revoked — or whose site is deleted — after a push is
// refused at once: the store checks the key as it stores the push. A
// repeated snapshot_id from a revoked key is refused too, not answered as
// a duplicate.
func TestIngest_KeyRevokedAfterUse(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		org := e.createOrg("Acme")
		count := func() float64 {
			return e.must(200, "GET", "/api/v1/audit-logs?per_page=1", e.admin, nil).Body["meta"].(map[string]any)["total"].(float64)
		}
		inv := map[string]any{"snapshot_id": "s-1", "drupal": map[string]any{"core_version": "10.3.6"}, "modules": []any{map[string]any{"name": "token", "version": "8.x-1.15"}}}

		siteID, key := e.site(org, "boston")
		e.must(202, "POST", "/api/v1/ingest/inventory", key, inv)
		keys := e.must(200, "GET", "/api/v1/sites/"+siteID+"/api-keys", e.admin, nil).list()
		e.must(204, "DELETE", "/api/v1/sites/"+siteID+"/api-keys/"+keys[0].(map[string]any)["id"].(string), e.admin, nil)
		before := count()
		assertErrorShape(t, e.do("POST", "/api/v1/ingest/inventory", key, inv), 401, "unauthorized") // the same snapshot_id
		delete(inv, "snapshot_id")
		assertErrorShape(t, e.do("POST", "/api/v1/ingest/inventory", key, inv), 401, "unauthorized")
		assertErrorShape(t, e.do("POST", "/api/v1/ingest/patch-runs", key, map[string]any{"started_at": time.Now().UTC().Format(time.RFC3339),
			"status": "succeeded", "changes": []any{map[string]any{"name": "token", "from_version": "8.x-1.14", "to_version": "8.x-1.15"}}}), 401, "unauthorized")

		siteID, key = e.site(org, "denver")
		e.must(202, "POST", "/api/v1/ingest/inventory", key, inv)
		if got := count(); got != before+1 {
			t.Errorf("%v audit logs, want %v: a refused push was stored", got, before+1)
		}
		e.must(204, "DELETE", "/api/v1/sites/"+siteID, e.admin, nil)
		assertErrorShape(t, e.do("POST", "/api/v1/ingest/inventory", key, inv), 401, "unauthorized")
	})
}

// TestIngest_ComposerLockStoredWithoutURLs: the dist and source URLs of a
// pushed composer.lock (deploy credentials) are not in the payload stored
// in audit_logs, and the inventory is the one the full lock gives.
func TestIngest_ComposerLockStoredWithoutURLs(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		org := e.createOrg("Acme")
		siteID, key := e.site(org, "boston")
		lock := composerLockBody()
		for _, p := range lock["packages"].([]map[string]any) {
			p["dist"] = map[string]any{"type": "zip", "url": "https://deploy:dist-token-s3cr3t@repo.example.com/" + p["name"].(string) + ".zip"}
			p["source"] = map[string]any{"type": "git", "url": "https://oauth2:source-token-s3cr3t@git.example.com/x.git", "reference": "abc"}
		}
		e.must(202, "POST", "/api/v1/ingest/composer-lock", key, lock)

		ctx := context.Background()
		claimed, err := e.store.ClaimAuditLogs(ctx, 10, time.Now())
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claimed %d logs: %v", len(claimed), err)
		}
		if data := string(claimed[0].Data); strings.Contains(data, "s3cr3t") || strings.Contains(data, `"dist"`) || strings.Contains(data, `"source"`) {
			t.Fatalf("stored payload keeps the URLs: %s", data)
		} else if !strings.Contains(data, "drupal/aaa_update_test") {
			t.Fatalf("stored payload lost the packages: %s", data)
		}
		if err := e.store.FailAuditLog(ctx, claimed[0], "", true); err != nil {
			t.Fatal(err)
		}
		e.drain()
		mods := e.must(200, "GET", "/api/v1/sites/"+siteID+"/modules", e.admin, nil).list()
		got := map[string]string{}
		for _, m := range mods {
			m := m.(map[string]any)
			got[m["name"].(string)] = m["version"].(string)
		}
		if len(got) != 2 || got["drupal"] != "10.3.6" || got["aaa_update_test"] != "8.x-1.0" {
			t.Fatalf("inventory %v", got)
		}
	})
}
