package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// connectorDir is the Drupal connectors' folder.
const connectorDir = "../../integrations/drupal"

// TestDrupalConnector_Contract pushes a real site's inventory as the
// Drupal connector builds and sends it (its PayloadBuilder and Sender, run
// by PHP) to a real `fleetwatch serve`: the site's modules in the API are
// the inventory's, a second push of it is answered as a duplicate, and the
// site's standing, read by the connector with its key, shows the security
// update Fleetwatch found.
func TestDrupalConnector_Contract(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	php, err := exec.LookPath("php")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("php is required under CI=true (apt-get install php-cli)")
		}
		t.Skip("php not found: skipping the Drupal connector's contract test (apt-get install php-cli)")
	}

	// A feed mirror with one security release of a project the site runs.
	mirror := t.TempDir()
	feed, err := os.ReadFile("testdata/aaa_update_test.sec.8.x-1.2.xml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mirror, "aaa_update_test"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mirror, "aaa_update_test", "current"), feed, 0o644); err != nil {
		t.Fatal(err)
	}
	dbURL := sqlstoretest.NewDatabaseURL(t, sqlstoretest.SQLite)
	p := startServe(t, dbURL, "FLEETWATCH_RELEASE_FEED_URL=file://"+mirror)
	admin, siteID, key := setupSite(t, dbURL, p.URL)

	// The extension info of a real site (va.gov's CMS, 217 drupal/*
	// packages), as the connector reads it from Drupal, plus the project
	// the feed covers.
	const site = "va-gov-cms.json"
	var ext struct {
		Site       map[string]any   `json:"site"`
		Extensions []map[string]any `json:"extensions"`
	}
	readJSON(t, filepath.Join(connectorDir, "tests/fixtures/extensions", site), &ext)
	ext.Extensions = append(ext.Extensions, map[string]any{"name": "aaa_update_test", "type": "module", "status": true,
		"info": map[string]any{"project": "aaa_update_test", "version": "8.x-1.0"}})
	extFile := filepath.Join(t.TempDir(), site)
	b, _ := json.Marshal(ext)
	if err := os.WriteFile(extFile, b, 0o644); err != nil {
		t.Fatal(err)
	}
	want := expectedProjects(t, filepath.Join(connectorDir, "tests/fixtures/sites", site))
	want["aaa_update_test"] = "8.x-1.0"

	type result struct {
		SnapshotID string            `json:"snapshot_id"`
		Modules    map[string]string `json:"modules"`
		Push       struct {
			OK        bool           `json:"ok"`
			Status    int            `json:"status"`
			Duplicate bool           `json:"duplicate"`
			Error     string         `json:"error"`
			Data      map[string]any `json:"data"`
		} `json:"push"`
		Standing struct {
			OK   bool           `json:"ok"`
			Data map[string]any `json:"data"`
		} `json:"standing"`
	}
	push := func(args ...string) result {
		t.Helper()
		cmd := exec.Command(php, append([]string{filepath.Join(connectorDir, "tests/contract/push.php"),
			"--server", p.URL, "--key", key, "--extensions", extFile}, args...)...)
		out, err := cmd.Output()
		var r result
		if jerr := json.Unmarshal(out, &r); jerr != nil {
			t.Fatalf("php push.php: %v, %v\n%s", err, jerr, out)
		}
		return r
	}

	first := push()
	if !first.Push.OK || first.Push.Status != 202 || first.Push.Duplicate {
		t.Fatalf("first push: %+v", first.Push)
	}
	if len(first.Modules) != len(want) {
		t.Errorf("the connector sent %d projects, the site runs %d", len(first.Modules), len(want))
	}
	waitProcessed(t, dbURL, 1)
	mods := admin.Must(200, "GET", "/api/v1/sites/"+siteID+"/modules?per_page=500", nil)["data"].([]any)
	got := map[string]string{}
	for _, m := range mods {
		m := m.(map[string]any)
		got[m["name"].(string)] = m["version"].(string)
		if m["name"] == "change_labels" && m["source"] != "custom" {
			t.Errorf("change_labels (a git checkout, no project in its info) has source %v, want custom", m["source"])
		}
	}
	if len(got) != len(want) {
		t.Errorf("the site has %d modules in the API, the inventory %d", len(got), len(want))
	}
	for name, v := range want {
		if got[name] != v {
			t.Errorf("module %s: the API says %q, the inventory %q", name, got[name], v)
		}
	}
	siteData := admin.Must(200, "GET", "/api/v1/sites/"+siteID, nil)
	if siteData["core_version"] != "10.4.9" || siteData["php_version"] != "8.3.14" {
		t.Errorf("site core %v, php %v, want 10.4.9 and 8.3.14", siteData["core_version"], siteData["php_version"])
	}

	// Fleetwatch learns of a security release of aaa_update_test.
	admin.Must(200, "POST", "/api/v1/admin/feeds/refresh", nil)

	// The same push again (a retry: no accepted push in between) is a
	// duplicate; the connector then reads its standing with its key.
	again := push("--standing")
	if !again.Push.OK || !again.Push.Duplicate || again.SnapshotID != first.SnapshotID || again.Push.Data["id"] != first.Push.Data["id"] {
		t.Errorf("second push: %+v (snapshot %s, first %s), want a duplicate of the first", again.Push, again.SnapshotID, first.SnapshotID)
	}
	st := again.Standing.Data
	if !again.Standing.OK || st["site_id"] != siteID || st["security_updates"] != 1.0 || st["past_due"] != 0.0 || st["nearest_project"] != "aaa_update_test" || st["nearest_due_at"] == nil {
		t.Errorf("standing read by the connector: %+v, want this site's one open security update", again.Standing)
	}

	// The push after an accepted one is a new snapshot; a wrong key is
	// refused with Fleetwatch's detail.
	if next := push("--previous", first.SnapshotID); !next.Push.OK || next.Push.Duplicate {
		t.Errorf("push after the accepted one: %+v, want a new snapshot", next.Push)
	}
	key = "fwk_wrong"
	if bad := push(); bad.Push.OK || bad.Push.Status != 401 || !strings.Contains(bad.Push.Error, "HTTP 401") {
		t.Errorf("wrong key: %+v, want a 401 with Fleetwatch's detail", bad.Push)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// expectedProjects reads the projects a real site runs from its
// composer.lock extract: core, and each drupal.org project at its drupal.org
// version; a package without one (a git checkout) is custom code to Drupal,
// reported unversioned.
func expectedProjects(t *testing.T, path string) map[string]string {
	t.Helper()
	var site struct {
		Core     string `json:"drupal_core_version"`
		Packages []struct {
			Name, Type       string
			DrupalOrgVersion string `json:"drupal_org_version"`
		} `json:"packages"`
	}
	readJSON(t, path, &site)
	want := map[string]string{"drupal": site.Core}
	for _, p := range site.Packages {
		switch p.Type {
		case "drupal-module", "drupal-theme", "drupal-profile":
			v := p.DrupalOrgVersion
			if v == "" {
				v = "unversioned"
			}
			want[strings.TrimPrefix(p.Name, "drupal/")] = v
		}
	}
	return want
}
