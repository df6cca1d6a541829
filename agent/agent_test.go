package agent_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/agent"
)

// WriteComposerLock rebuilds a composer.lock from a site fixture
// (testdata/sites, extracted from real lock files) into dir.
func writeComposerLock(tb testing.TB, fixture, dir string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sites", fixture+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	var fx struct {
		Packages []struct {
			Name, Version, Type string
			Dev                 bool
			DrupalOrgVersion    string `json:"drupal_org_version"`
			Datestamp           string `json:"datestamp"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(b, &fx); err != nil {
		tb.Fatal(err)
	}
	lock := map[string][]map[string]any{"packages": {{"name": "symfony/console", "version": "v6.4.1", "type": "library"}}, "packages-dev": {}}
	for _, p := range fx.Packages {
		pkg := map[string]any{"name": p.Name, "version": p.Version, "type": p.Type}
		if p.DrupalOrgVersion != "" {
			pkg["extra"] = map[string]any{"drupal": map[string]any{"version": p.DrupalOrgVersion, "datestamp": p.Datestamp}}
		}
		key := "packages"
		if p.Dev {
			key = "packages-dev"
		}
		lock[key] = append(lock[key], pkg)
	}
	out, _ := json.Marshal(lock)
	path := filepath.Join(dir, "composer.lock")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

func TestCollect(t *testing.T) {
	ctx := context.Background()
	t.Run("ComposerLock", func(t *testing.T) {
		lock := writeComposerLock(t, "boston-gov", t.TempDir())
		inv, err := agent.Collect(ctx, agent.Source{ComposerLock: lock})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Drupal.CoreVersion != "10.3.6" || len(inv.Modules) < 100 || inv.SnapshotID == "" {
			t.Fatalf("inventory: core %q, %d modules", inv.Drupal.CoreVersion, len(inv.Modules))
		}
	})
	t.Run("DrupalRootWithoutDrush", func(t *testing.T) {
		project := t.TempDir()
		writeComposerLock(t, "usagov", project)
		root := filepath.Join(project, "web")
		if err := os.MkdirAll(filepath.Join(root, "core", "lib"), 0o755); err != nil {
			t.Fatal(err)
		}
		php := "<?php\nclass Drupal {\n  const VERSION = '10.2.8';\n}\n"
		if err := os.WriteFile(filepath.Join(root, "core", "lib", "Drupal.php"), []byte(php), 0o644); err != nil {
			t.Fatal(err)
		}
		inv, err := agent.Collect(ctx, agent.Source{DrupalRoot: root, Drush: "none"})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Drupal.CoreVersion != "10.2.8" || len(inv.Modules) < 30 {
			t.Fatalf("inventory: core %q, %d modules", inv.Drupal.CoreVersion, len(inv.Modules))
		}
	})
	t.Run("Drush", func(t *testing.T) {
		drush, _ := filepath.Abs(filepath.Join("testdata", "drush", "drush"))
		inv, err := agent.Collect(ctx, agent.Source{DrupalRoot: t.TempDir(), Drush: drush})
		if err != nil {
			t.Fatal(err)
		}
		if inv.Drupal.CoreVersion != "10.3.6" || inv.Drupal.PHPVersion != "8.3.1" || inv.Drupal.Profile != "standard" {
			t.Fatalf("drupal %+v", inv.Drupal)
		}
		names := map[string]bool{}
		for _, m := range inv.Modules {
			names[m.Name] = true
		}
		if !names["drupal"] || !names["ctools"] || names["block"] {
			t.Fatalf("modules %+v (core's extensions must fold into drupal)", inv.Modules)
		}
	})
	t.Run("NoDrupalPackages", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "composer.lock")
		os.WriteFile(path, []byte(`{"packages": [{"name": "symfony/console", "version": "v6.4.1", "type": "library"}]}`), 0o644)
		if _, err := agent.Collect(ctx, agent.Source{ComposerLock: path}); err == nil || !strings.Contains(err.Error(), "no drupal/* packages") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestPusher_Push(t *testing.T) {
	inv := &agent.Inventory{SnapshotID: "s1", Modules: []agent.Module{{Name: "drupal", Type: "core", Version: "10.3.6"}}}
	for _, tc := range []struct {
		name    string
		answers []int
		want    string // "" for success
		calls   int32
	}{
		{"Accepted", []int{202}, "", 1},
		{"RetriesThenAccepted", []int{503, 500, 202}, "", 3},
		{"GivesUp", []int{503, 503, 503}, "server answered 503", 3},
		{"Unauthorized", []int{401}, "refused the key (401)", 1},
		{"TooLarge", []int{413}, "too large for the server (413", 1},
		{"Rejected", []int{422}, "rejected the inventory (422): modules[0].version must not be empty", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				body, _ := io.ReadAll(r.Body)
				if r.Header.Get("Authorization") != "Bearer fwk_test" || !strings.Contains(string(body), `"snapshot_id":"s1"`) {
					t.Errorf("request %v %s", r.Header, body)
				}
				status := tc.answers[min(int(n)-1, len(tc.answers)-1)]
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(status)
				if status == 202 {
					io.WriteString(w, `{"data": {"id": "log-1", "status": "queued"}}`)
					return
				}
				io.WriteString(w, `{"errors": [{"detail": "modules[0].version must not be empty"}]}`)
			}))
			defer srv.Close()
			p := &agent.Pusher{Server: srv.URL, Key: "fwk_test", Retries: 2, Backoff: time.Millisecond, Timeout: 5 * time.Second}
			res, err := p.Push(context.Background(), inv)
			switch {
			case tc.want == "" && (err != nil || res.ID != "log-1"):
				t.Fatalf("push: %+v %v", res, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if calls.Load() != tc.calls {
				t.Fatalf("%d calls, want %d", calls.Load(), tc.calls)
			}
		})
	}
}
