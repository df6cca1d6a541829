package drupal

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// siteFixture is the shape of testdata/sites/*.json: packages extracted
// from a real composer.lock.
type siteFixture struct {
	DrupalCoreVersion string `json:"drupal_core_version"`
	Packages          []struct {
		Name             string `json:"name"`
		Version          string `json:"version"`
		Type             string `json:"type"`
		Dev              bool   `json:"dev"`
		DrupalOrgVersion string `json:"drupal_org_version"`
		Datestamp        string `json:"datestamp"`
		SecurityCoverage string `json:"security_coverage"`
	} `json:"packages"`
}

func mustLoadSite(tb testing.TB, name string) siteFixture {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "sites", name+".json"))
	if err != nil {
		tb.Fatal(err)
	}
	var s siteFixture
	if err := json.Unmarshal(b, &s); err != nil {
		tb.Fatal(err)
	}
	return s
}

// composerLockFrom rebuilds the minimal composer.lock the fixture was
// extracted from, with a non-Drupal package mixed in.
func composerLockFrom(tb testing.TB, s siteFixture) []byte {
	tb.Helper()
	type drupalExtra struct {
		Version   string `json:"version,omitempty"`
		Datestamp string `json:"datestamp,omitempty"`
		Coverage  *struct {
			Status string `json:"status"`
		} `json:"security-coverage,omitempty"`
	}
	type pkg struct {
		Name    string         `json:"name"`
		Version string         `json:"version"`
		Type    string         `json:"type"`
		Extra   map[string]any `json:"extra,omitempty"`
	}
	lock := map[string][]pkg{
		"packages":     {{Name: "symfony/console", Version: "v6.4.1", Type: "library"}},
		"packages-dev": {},
	}
	for _, p := range s.Packages {
		out := pkg{Name: p.Name, Version: p.Version, Type: p.Type}
		if p.DrupalOrgVersion != "" {
			ex := drupalExtra{Version: p.DrupalOrgVersion, Datestamp: p.Datestamp}
			if p.SecurityCoverage != "" {
				ex.Coverage = &struct {
					Status string `json:"status"`
				}{p.SecurityCoverage}
			}
			out.Extra = map[string]any{"drupal": ex}
		}
		key := "packages"
		if p.Dev {
			key = "packages-dev"
		}
		lock[key] = append(lock[key], out)
	}
	b, err := json.MarshalIndent(lock, "", "    ")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestParseComposerLock_Sites(t *testing.T) {
	for _, site := range []string{"boston-gov", "unocha-site", "usagov", "usagov-d9-2022", "va-gov-cms"} {
		t.Run(site, func(t *testing.T) {
			s := mustLoadSite(t, site)
			inv, err := ParseComposerLock(bytes.NewReader(composerLockFrom(t, s)))
			if err != nil {
				t.Fatal(err)
			}
			// Build the expected set straight from the fixture.
			want := map[string]string{}
			for _, p := range s.Packages {
				typ, ok := composerTypes[p.Type]
				if !ok {
					continue
				}
				name := strings.TrimPrefix(p.Name, "drupal/")
				if typ.typ == TypeCore {
					name = CoreProject
				}
				v := p.DrupalOrgVersion
				if v == "" {
					v = canonical(p.Version)
				}
				want[name] = v
			}
			got := map[string]string{}
			for i, it := range inv.Items {
				got[it.Name] = it.Version
				if it.Type == TypeCore && i != 0 {
					t.Errorf("core item at %d, want first", i)
				}
				if it.Source != SourceDrupalOrg {
					t.Errorf("%s: source %q", it.Name, it.Source)
				}
				if _, err := Parse(it.Version); err != nil {
					t.Errorf("%s: version: %v", it.Name, err)
				}
				res := Evaluate(Input{Installed: it.Version, Datestamp: it.Datestamp})
				if res.Status != StatusUnknown {
					t.Errorf("%s: status %s without a feed", it.Name, res.Status)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("items mismatch (-want +got):\n%s", diff)
			}
			if got[CoreProject] != s.DrupalCoreVersion {
				t.Errorf("core version = %q, want %q", got[CoreProject], s.DrupalCoreVersion)
			}
		})
	}
}

func TestParseComposerLock_Items(t *testing.T) {
	find := func(t *testing.T, site, name string) Item {
		t.Helper()
		inv, err := ParseComposerLock(bytes.NewReader(composerLockFrom(t, mustLoadSite(t, site))))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range inv.Items {
			if it.Name == name {
				return it
			}
		}
		t.Fatalf("%s: no item %q", site, name)
		return Item{}
	}
	tests := []struct {
		site, name string
		want       Item
	}{
		{"boston-gov", "file_entity", Item{Name: "file_entity", Type: TypeModule, Version: "8.x-2.0+3-dev", Datestamp: 1722159521,
			Source: SourceDrupalOrg, Package: "drupal/file_entity", SecurityCoverage: "not-covered", Enabled: true}},
		{"boston-gov", "drupal", Item{Name: "drupal", Type: TypeCore, Version: "10.3.6", Source: SourceDrupalOrg, Package: "drupal/core", Enabled: true}},
		{"va-gov-cms", "change_labels", Item{Name: "change_labels", Type: TypeModule, Version: "dev-3326097-remove-dependency-on-drupal-autoservices",
			Source: SourceDrupalOrg, Package: "drupal/change_labels", Enabled: true}},
		{"va-gov-cms", "admin_feedback", Item{Name: "admin_feedback", Type: TypeModule, Version: "8.x-2.7", Datestamp: 1738139099,
			Source: SourceDrupalOrg, Package: "drupal/admin_feedback", SecurityCoverage: "covered", Enabled: true}},
		{"usagov-d9-2022", "clientside_validation", Item{Name: "clientside_validation", Type: TypeModule, Version: "3.0.0-rc7+1-dev", Datestamp: 1660913865,
			Source: SourceDrupalOrg, Package: "drupal/clientside_validation", SecurityCoverage: "not-covered", Enabled: true}},
	}
	for _, tt := range tests {
		t.Run(tt.site+"/"+tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, find(t, tt.site, tt.name)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseComposerLock(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Item
		wantErr error
	}{
		{"CoreRecommendedOnly", `{"packages":[{"name":"drupal/core-recommended","version":"11.0.1","type":"metapackage"}]}`,
			[]Item{{Name: "drupal", Type: TypeCore, Version: "11.0.1", Source: SourceDrupalOrg, Package: "drupal/core-recommended", Enabled: true}}, nil},
		{"OneCoreEntry", `{"packages":[{"name":"drupal/core-recommended","version":"11.0.1","type":"metapackage"},{"name":"drupal/core","version":"11.0.1","type":"drupal-core"}]}`,
			[]Item{{Name: "drupal", Type: TypeCore, Version: "11.0.1", Source: SourceDrupalOrg, Package: "drupal/core", Enabled: true}}, nil},
		{"ComposerDevBranch", `{"packages":[{"name":"drupal/admin_toolbar","version":"dev-3.x","type":"drupal-module"}]}`,
			[]Item{{Name: "admin_toolbar", Type: TypeModule, Version: "3.x-dev", Source: SourceDrupalOrg, Package: "drupal/admin_toolbar", Enabled: true}}, nil},
		{"NumericDatestampAndOddExtra", `{"packages":[{"name":"drupal/token","version":"1.15.0","type":"drupal-module","extra":{"drupal":{"version":"8.x-1.15","datestamp":1722159521}}},{"name":"drupal/x","version":"1.0.0","type":"drupal-theme","extra":"weird"}]}`,
			[]Item{
				{Name: "token", Type: TypeModule, Version: "8.x-1.15", Datestamp: 1722159521, Source: SourceDrupalOrg, Package: "drupal/token", Enabled: true},
				{Name: "x", Type: TypeTheme, Version: "1.0.0", Source: SourceDrupalOrg, Package: "drupal/x", Enabled: true},
			}, nil},
		{"Custom", `{"packages":[{"name":"acme/events","version":"1.0.0","type":"drupal-custom-module"},{"name":"acme/lib","version":"1.0.0","type":"drupal-module"}],"packages-dev":[{"name":"drupal/devel","version":"5.1.0","type":"drupal-module"}]}`,
			[]Item{
				{Name: "devel", Type: TypeModule, Version: "5.1.0", Source: SourceDrupalOrg, Package: "drupal/devel", Dev: true, Enabled: true},
				{Name: "events", Type: TypeModule, Version: "1.0.0", Source: SourceCustom, Package: "acme/events", Enabled: true},
			}, nil},
		{"ErrNoDrupalPackages", `{"packages":[{"name":"symfony/console","version":"v6.4.1","type":"library"},{"name":"drupal/core-dev","version":"10.3.6","type":"metapackage"}]}`, nil, ErrNoDrupalPackages},
		{"EmptyObject", `{}`, nil, ErrNoDrupalPackages},
		{"NotJSON", `<html>nope</html>`, nil, ErrInvalidInventory},
		{"Array", `[]`, nil, ErrInvalidInventory},
		{"Truncated", `{"packages":[{"name":"drupal/core"`, nil, ErrInvalidInventory},
		{"TrailingData", `{} {}`, nil, ErrInvalidInventory},
		{"WrongShape", `{"packages":{"name":"drupal/core"}}`, nil, ErrInvalidInventory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, err := ParseComposerLock(strings.NewReader(tt.in))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, inv.Items); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseComposerLock(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "sites", "usagov.json"))
	if err != nil {
		f.Fatal(err)
	}
	var s siteFixture
	if err := json.Unmarshal(b, &s); err != nil {
		f.Fatal(err)
	}
	f.Add(composerLockFrom(f, s))
	f.Add([]byte(`{"packages":[{"name":"drupal/core-recommended","version":"11.0.1","type":"metapackage"}]}`))
	f.Add([]byte(`{"packages":[{"name":"drupal/x","version":"dev-3.x","type":"drupal-module","extra":{"drupal":{"version":"3.1.1+4-dev","datestamp":"1"}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := ParseComposerLock(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrInvalidInventory) && !errors.Is(err, ErrNoDrupalPackages) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if len(inv.Items) == 0 {
			t.Fatal("no items without error")
		}
		checkInventoryItems(t, inv.Items)
		// What is stored is the lock without URLs; it must read the same.
		stripped, err := StripComposerURLs(b)
		if err != nil {
			t.Fatalf("a lock ParseComposerLock reads cannot be stripped: %v", err)
		}
		again, err := ParseComposerLock(bytes.NewReader(stripped))
		if err != nil {
			t.Fatalf("the stripped lock does not parse: %v", err)
		}
		if diff := cmp.Diff(inv, again); diff != "" {
			t.Fatalf("stripping changed the inventory (-before +after):\n%s", diff)
		}
	})
}

// checkInventoryItems checks what every parsed inventory promises: one
// item per project with a name, core (at most one) first, then by name,
// known types and sources, an item's modules sorted.
func checkInventoryItems(t *testing.T, items []Item) {
	t.Helper()
	for i, it := range items {
		if it.Name == "" {
			t.Fatalf("item %d has no name: %+v", i, it)
		}
		switch it.Type {
		case TypeCore, TypeModule, TypeTheme, TypeProfile:
		default:
			t.Fatalf("item %q has type %q", it.Name, it.Type)
		}
		if it.Source != SourceDrupalOrg && it.Source != SourceCustom {
			t.Fatalf("item %q has source %q", it.Name, it.Source)
		}
		if (it.Type == TypeCore) != (it.Name == CoreProject) {
			t.Fatalf("item %q has type %q", it.Name, it.Type)
		}
		if it.Type == TypeCore && i != 0 {
			t.Fatalf("core is item %d, not the first", i)
		}
		if !slices.IsSorted(it.Modules) {
			t.Fatalf("modules of %q not sorted: %v", it.Name, it.Modules)
		}
		if i > 0 && items[i-1].Type != TypeCore && items[i-1].Name >= it.Name {
			t.Fatalf("items %q and %q out of order or twice", items[i-1].Name, it.Name)
		}
	}
}

func TestParseDrushPMList(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "drush", "pm-list.json"))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ParseDrushPMList(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	want := []Item{
		{Name: "drupal", Type: TypeCore, Version: "10.3.6", Source: SourceDrupalOrg, Modules: []string{"block", "node", "olivero"}, Enabled: true},
		{Name: "acme_events", Type: TypeModule, Source: SourceCustom, Modules: []string{"acme_events"}, Enabled: true},
		{Name: "admin_toolbar", Type: TypeModule, Version: "3.x-dev", Source: SourceDrupalOrg, Modules: []string{"admin_toolbar"}},
		{Name: "ctools", Type: TypeModule, Version: "4.1.0", Source: SourceDrupalOrg, Modules: []string{"ctools", "ctools_views"}, Enabled: true},
		{Name: "gin", Type: TypeTheme, Version: "8.x-3.0-rc13", Source: SourceDrupalOrg, Modules: []string{"gin"}, Enabled: true},
		{Name: "token", Type: TypeModule, Version: "8.x-1.15", Source: SourceDrupalOrg, Modules: []string{"token"}, Enabled: true},
	}
	if diff := cmp.Diff(want, inv.Items); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}

	for name, in := range map[string]string{
		"ErrNoDrupalPackages": `{}`,
		"NotJSON":             `Command pm:list is not defined.`,
		"Array":               `[]`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseDrushPMList(strings.NewReader(in))
			want := ErrInvalidInventory
			if name == "ErrNoDrupalPackages" {
				want = ErrNoDrupalPackages
			}
			if !errors.Is(err, want) {
				t.Errorf("err = %v, want %v", err, want)
			}
		})
	}
}

func FuzzParseDrushPMList(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "drush", "pm-list.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"x":{"version":1.5,"datestamp":"12","path":"custom/x"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, err := ParseDrushPMList(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrInvalidInventory) && !errors.Is(err, ErrNoDrupalPackages) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if len(inv.Items) == 0 {
			t.Fatal("no items without error")
		}
		checkInventoryItems(t, inv.Items)
	})
}

// TestStripComposerURLs: the dist and source of every package go (their
// URLs can carry deploy credentials), and the inventory read from the lock
// stays the same, for every site fixture.
func TestStripComposerURLs(t *testing.T) {
	for _, site := range []string{"boston-gov", "unocha-site", "usagov", "usagov-d9-2022", "va-gov-cms"} {
		t.Run(site, func(t *testing.T) {
			var lock map[string]any
			if err := json.Unmarshal(composerLockFrom(t, mustLoadSite(t, site)), &lock); err != nil {
				t.Fatal(err)
			}
			lock["content-hash"] = "0123abcd"
			for _, key := range []string{"packages", "packages-dev"} {
				for _, p := range lock[key].([]any) {
					p := p.(map[string]any)
					p["dist"] = map[string]any{"type": "zip", "url": "https://deploy:s3cr3t-token@packages.example.com/" + p["name"].(string) + ".zip"}
					p["source"] = map[string]any{"type": "git", "url": "https://oauth2:glpat-s3cr3t@git.example.com/" + p["name"].(string) + ".git", "reference": "abc"}
				}
			}
			orig, err := json.Marshal(lock)
			if err != nil {
				t.Fatal(err)
			}
			stripped, err := StripComposerURLs(orig)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(stripped), "s3cr3t") || strings.Contains(string(stripped), `"dist"`) || strings.Contains(string(stripped), `"source"`) {
				t.Fatalf("stripped lock still has URLs: %.300s", stripped)
			}
			if !strings.Contains(string(stripped), `"content-hash":"0123abcd"`) {
				t.Errorf("stripped lock lost other keys: %.300s", stripped)
			}
			want, err := ParseComposerLock(bytes.NewReader(orig))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseComposerLock(bytes.NewReader(stripped))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("inventory changed (-before +after):\n%s", diff)
			}
		})
	}
	for _, bad := range []string{`not json`, `[]`, `{"packages": {"a": 1}}`, `{"packages": ["x"]}`} {
		if out, err := StripComposerURLs([]byte(bad)); !errors.Is(err, ErrInvalidInventory) || string(out) != bad {
			t.Errorf("StripComposerURLs(%s) = %s, %v; want it unchanged and ErrInvalidInventory", bad, out, err)
		}
	}
}
