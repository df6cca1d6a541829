package main

import (
	"bufio"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// scrape returns the metric families of a /metrics answer, name to type.
func scrape(t *testing.T, url string) map[string]string {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	fams := map[string]string{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			fams[f[2]] = f[3]
		}
	}
	return fams
}

// documentedMetrics reads the metrics table of docs/operations.md: name to
// type.
func documentedMetrics(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_:]+)` \\| (counter|gauge|histogram|summary) \\|")
	out := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	if len(out) == 0 {
		t.Fatal("docs/operations.md has no metrics table rows (| `name` | type | …)")
	}
	return out
}

// undocumentedPrefixes are the standard Go and process collectors' families:
// the table lists those an alert or the dashboard uses and these prefixes
// stand for the rest.
var undocumentedPrefixes = []string{"go_", "process_"}

// TestMetrics_AllDocumented scrapes a real server that took a push, applied
// it and fetched its feed, and compares its families with the table of
// docs/operations.md both ways: every fleetwatch_* family is documented
// with its type, and every documented family exists.
func TestMetrics_AllDocumented(t *testing.T) {
	cfg := testConfig(t, sqlstoretest.SQLite)
	// A mirror with one project's feed and no advisories: both fetches
	// succeed.
	mirror := t.TempDir()
	feed, err := os.ReadFile("../../drupal/testdata/release-history/aaa_update_test.8.x-1.2.xml")
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"release-history/aaa_update_test", "advisories"} {
		if err := os.MkdirAll(filepath.Join(mirror, dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(mirror, "release-history/aaa_update_test/current"), feed, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg.ReleaseFeedURL, cfg.AdvisoryURL = "file://"+mirror+"/release-history", "file://"+mirror+"/advisories"
	srv := startMain(t, cfg)
	if _, err := srv.Auth.CreateUserFromShell(t.Context(), "", "ops@example.com", "ops-password", "admin", ""); err != nil {
		t.Fatal(err)
	}
	admin := &client{T: t, URL: srv.URL()}
	admin.Token = admin.Must(200, "POST", "/api/v1/auth/login", map[string]any{"email": "ops@example.com", "password": "ops-password"})["access_token"].(string)
	org := admin.Must(201, "POST", "/api/v1/organizations", map[string]any{"name": "Acme"})["id"].(string)
	site := admin.Must(201, "POST", "/api/v1/sites", map[string]any{"name": "one", "url": "https://one.example", "organization_id": org})["id"].(string)
	key := admin.Must(201, "POST", "/api/v1/sites/"+site+"/api-keys", map[string]any{"name": "push"})["key"].(string)
	(&client{T: t, URL: srv.URL(), Token: key}).Must(202, "POST", "/api/v1/ingest/inventory", map[string]any{
		"snapshot_id": "s1", "collected_at": time.Now().UTC().Format(time.RFC3339),
		"drupal": map[string]any{"core_version": "10.3.6"},
		"modules": []any{
			map[string]any{"name": "drupal", "type": "core", "version": "10.3.6"},
			map[string]any{"name": "aaa_update_test", "version": "8.x-1.1"},
		},
	})

	documented := documentedMetrics(t)
	var got map[string]string
	missing := func() []string {
		var out []string
		for name := range documented {
			if _, ok := got[name]; !ok {
				out = append(out, name)
			}
		}
		slices.Sort(out)
		return out
	}
	// Some families appear once their first event happened (the feed
	// fetch, the payload applied): scrape until they are all there.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		got = scrape(t, srv.URL())
		if len(missing()) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, name := range missing() {
		t.Errorf("docs/operations.md lists %s, which /metrics does not expose", name)
	}
	for name, typ := range got {
		doc, ok := documented[name]
		switch {
		case !ok && !slices.ContainsFunc(undocumentedPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }):
			t.Errorf("/metrics exposes %s (%s), which the table of docs/operations.md does not list", name, typ)
		case ok && doc != typ:
			t.Errorf("docs/operations.md says %s is a %s; /metrics says %s", name, doc, typ)
		}
	}
	if t.Failed() {
		var names []string
		for n, typ := range got {
			names = append(names, n+" "+typ)
		}
		slices.Sort(names)
		t.Logf("exposed:\n%s", strings.Join(names, "\n"))
	}
}
