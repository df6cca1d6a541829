package drupal_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestRiskVectorScore(t *testing.T) {
	// The published score/vector pairs of FORMATS.md.
	tests := []struct {
		vector string
		want   int
		risk   string
	}{
		{"AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Uncommon", 12, drupal.RiskModeratelyCritical},
		{"AC:Basic/A:None/CI:Some/II:Some/E:Theoretical/TD:All", 16, drupal.RiskCritical},
		{"AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Default", 13, drupal.RiskModeratelyCritical},
		{"AC:Complex/A:None/CI:Some/II:None/E:Theoretical/TD:Uncommon", 10, drupal.RiskModeratelyCritical},
		{"AC:None/A:None/CI:All/II:All/E:Exploit/TD:All", 24, drupal.RiskHighlyCritical},
	}
	for _, tt := range tests {
		got, err := drupal.RiskVectorScore(tt.vector)
		if err != nil || got != tt.want {
			t.Errorf("RiskVectorScore(%q) = %d, %v; want %d", tt.vector, got, err, tt.want)
		}
		if r := drupal.RiskForScore(got); r != tt.risk {
			t.Errorf("RiskForScore(%d) = %q, want %q", got, r, tt.risk)
		}
	}
	for _, bad := range []string{"", "AC:Basic", "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Default/AC:None",
		"AC:Easy/A:User/CI:Some/II:Some/E:Theoretical/TD:Default", "garbage"} {
		if _, err := drupal.RiskVectorScore(bad); !errors.Is(err, drupal.ErrInvalidAdvisory) {
			t.Errorf("RiskVectorScore(%q) error = %v, want ErrInvalidAdvisory", bad, err)
		}
	}
}

func TestRiskForLabel(t *testing.T) {
	tests := map[string]string{
		"Highly critical":     drupal.RiskHighlyCritical,
		"Highly Critical":     drupal.RiskHighlyCritical,
		"Critical":            drupal.RiskCritical,
		"Moderately critical": drupal.RiskModeratelyCritical,
		"Less critical":       drupal.RiskLessCritical,
		"not  critical":       drupal.RiskNotCritical,
		"Access bypass":       "",
	}
	for label, want := range tests {
		if got, _ := drupal.RiskForLabel(label); got != want {
			t.Errorf("RiskForLabel(%q) = %q, want %q", label, got, want)
		}
	}
}

func openAdvisory(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "advisories", path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseAPID7(t *testing.T) {
	page, err := drupal.ParseAPID7(openAdvisory(t, "drupal-org-api-d7/sa-key_auth.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []drupal.Advisory{{
		ID:                "SA-CONTRIB-2026-138",
		Project:           "key_auth",
		ProjectNodeID:     "2959220",
		Title:             "Key auth - Moderately critical - Access bypass - SA-CONTRIB-2026-138",
		URL:               "https://www.drupal.org/sa-contrib-2026-138",
		RiskLabel:         "Moderately critical",
		Severity:          drupal.RiskModeratelyCritical,
		RiskScore:         13,
		RiskVector:        "AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Default",
		VulnerabilityType: "Access bypass",
		AffectedVersions:  "<2.2.4",
		FixedVersions:     []string{"2.2.4"},
		CVEs:              []string{"CVE-2026-87940"},
		Published:         time.Date(2026, 9, 9, 17, 17, 50, 0, time.UTC),
		Source:            "api-d7",
	}}
	if diff := cmp.Diff(want, page.Advisories); diff != "" {
		t.Errorf("advisories (-want +got):\n%s", diff)
	}
	if page.Next != "" {
		t.Errorf("Next = %q, want none", page.Next)
	}

	projects, err := drupal.ParseAPID7(openAdvisory(t, "drupal-org-api-d7/project-key_auth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got := projects.Projects["2959220"]; got != "key_auth" {
		t.Errorf("Projects[2959220] = %q, want key_auth", got)
	}
}

func TestParseAPID7_Bad(t *testing.T) {
	tests := map[string]string{
		"html":      "<html><body>Bad gateway</body></html>",
		"truncated": `{"list":[{"type":"sa","title":"x`,
		"no list":   `{"self":"x"}`,
		"wrong":     `{"list":[1]}`,
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := drupal.ParseAPID7(strings.NewReader(in)); !errors.Is(err, drupal.ErrInvalidAdvisory) {
				t.Errorf("error = %v, want ErrInvalidAdvisory", err)
			}
		})
	}
	// A node with nothing usable is kept with unknown risk, never a crash.
	page, err := drupal.ParseAPID7(strings.NewReader(`{"list":[{"type":"sa","title":"Odd","field_sa_criticality":"AC:Lots","field_project":[]}]}`))
	if err != nil || len(page.Advisories) != 1 || page.Advisories[0].RiskScore != -1 || page.Advisories[0].Severity != "" {
		t.Errorf("odd node = %+v, %v", page.Advisories, err)
	}
}

func TestParseOSV(t *testing.T) {
	tests := []struct {
		file    string
		id      string
		project string
		fixed   []string
	}{
		{"drupal-advisory-database-osv/admin_toolbar/DRUPAL-CONTRIB-2021-025.json", "SA-CONTRIB-2021-025", "admin_toolbar", []string{"2.5.0"}},
		{"drupal-advisory-database-osv/core/DRUPAL-CORE-2026-010.json", "SA-CORE-2026-010", "drupal", nil},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a, err := drupal.ParseOSV(openAdvisory(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != tt.id || a.Project != tt.project || a.Severity != "" || a.RiskScore != -1 {
				t.Errorf("got %s %s %q %d", a.ID, a.Project, a.Severity, a.RiskScore)
			}
			if tt.fixed != nil && !cmp.Equal(a.FixedVersions, tt.fixed) {
				t.Errorf("fixed = %v, want %v", a.FixedVersions, tt.fixed)
			}
			if tt.project == "drupal" && !a.Fixes("11.4.4") {
				t.Errorf("core advisory does not list 11.4.4 as fixed: %v", a.FixedVersions)
			}
		})
	}
	// Every OSV fixture parses.
	files, _ := filepath.Glob(filepath.Join("testdata", "advisories", "drupal-advisory-database-osv", "*", "*.json"))
	if len(files) < 10 {
		t.Fatalf("only %d OSV fixtures", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if _, err := drupal.ParseOSV(bytes.NewReader(b)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestMatchAdvisory(t *testing.T) {
	day := time.Date(2026, 9, 9, 17, 0, 0, 0, time.UTC)
	advs := []drupal.Advisory{
		{ID: "SA-A", Project: "key_auth", Severity: drupal.RiskModeratelyCritical, FixedVersions: []string{"2.2.4"}, Published: day},
		{ID: "SA-B", Project: "key_auth", Severity: drupal.RiskCritical, AffectedVersions: "<3.0.1", Published: day.Add(24 * time.Hour)},
		{ID: "PSA-X", Project: "key_auth", IsPSA: true, Published: day},
		{ID: "SA-C", Project: "other", FixedVersions: []string{"2.2.5"}, Published: day},
	}
	tests := []struct {
		name    string
		version string
		date    time.Time
		want    string
	}{
		{"fixed version listed", "2.2.4", day, "SA-A"},
		{"legacy form of a fixed version", "8.x-2.2", time.Time{}, ""},
		{"by date, not affected", "3.0.1", day, "SA-B"},
		{"by date but affected", "3.0.0", day, ""},
		{"too far apart", "3.0.1", day.Add(-10 * 24 * time.Hour), ""},
		{"other project", "2.2.5", day, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := drupal.MatchAdvisory(advs, "key_auth", drupal.Release{Version: tt.version, Date: tt.date})
			if got := map[bool]string{true: a.ID}[ok]; got != tt.want {
				t.Errorf("match = %q, want %q", got, tt.want)
			}
		})
	}
}

func FuzzParseAPID7(f *testing.F) {
	for _, p := range []string{"drupal-org-api-d7/sa-key_auth.json", "drupal-org-api-d7/project-key_auth.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "advisories", p))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"list":[{"type":"sa","title":"A - Critical - XSS - SA-CORE-2020-001","field_sa_criticality":"AC:None"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		page, err := drupal.ParseAPID7(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, drupal.ErrInvalidAdvisory) {
				t.Fatalf("error %v does not wrap ErrInvalidAdvisory", err)
			}
			return
		}
		for _, a := range page.Advisories {
			if a.RiskScore > 25 || a.RiskScore < -1 {
				t.Fatalf("score %d", a.RiskScore)
			}
			checkAdvisory(t, a)
		}
	})
}

// addAdvisorySeeds adds the advisory fixtures that match the patterns
// (under testdata/advisories) to the fuzz corpus.
func addAdvisorySeeds(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		files, _ := filepath.Glob(filepath.Join("testdata", "advisories", pattern))
		for _, p := range files {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func FuzzParseOSV(f *testing.F) {
	addAdvisorySeeds(f, "drupal-advisory-database-osv/*/*.json", "github-advisory-database/*.json")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := drupal.ParseOSV(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, drupal.ErrInvalidAdvisory) {
				t.Fatalf("error %v does not wrap ErrInvalidAdvisory", err)
			}
			return
		}
		if a.ID == "" || a.Source == "" {
			t.Fatalf("parsed without id or source: %+v", a)
		}
		checkAdvisory(t, a)
		a.Affects("1.0.0")
	})
}

// checkAdvisory checks what every parsed advisory promises: a known risk
// level or none, and every fixed version it lists that is a version is
// one it fixes.
func checkAdvisory(t *testing.T, a drupal.Advisory) {
	t.Helper()
	switch a.Severity {
	case "", drupal.RiskHighlyCritical, drupal.RiskCritical, drupal.RiskModeratelyCritical, drupal.RiskLessCritical, drupal.RiskNotCritical:
	default:
		t.Fatalf("%s: unknown severity %q", a.ID, a.Severity)
	}
	for _, v := range a.FixedVersions {
		if _, err := drupal.Parse(v); err == nil && !a.Fixes(v) {
			t.Fatalf("%s: fixed version %q is not one it fixes", a.ID, v)
		}
	}
}

func FuzzParseFriendsOfPHP(f *testing.F) {
	addAdvisorySeeds(f, "friendsofphp-security-advisories/drupal/*/*.yaml")
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := drupal.ParseFriendsOfPHP(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, drupal.ErrInvalidAdvisory) {
				t.Fatalf("error %v does not wrap ErrInvalidAdvisory", err)
			}
			return
		}
		if a.ID == "" || a.Project == "" {
			t.Fatalf("parsed without id or project: %+v", a)
		}
		for _, v := range a.FixedVersions {
			if !a.Fixes(v) {
				t.Fatalf("fixed version %q is not one it fixes", v)
			}
		}
	})
}

func FuzzRiskVectorScore(f *testing.F) {
	f.Add("AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Default")
	f.Add("AC:None/A:None")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := drupal.RiskVectorScore(s)
		if err == nil && (n < 4 || n > 24) {
			t.Fatalf("score %d out of range", n)
		}
	})
}

func TestParseOSV_GitHub(t *testing.T) {
	tests := []struct {
		file, id string
		fixed    []string
		cve      string
	}{
		// Linked to its drupal.org advisory: takes its id, to merge with it.
		{"GHSA-f84q-mgj9-8jfc.json", "SA-CORE-2018-006", []string{"8.5.8", "8.6.2"}, ""},
		{"GHSA-m648-hpf8-qcjw.json", "SA-CORE-2020-004", nil, "CVE-2020-13663"},
		// Linked in upper case, among other references; lists drupal/drupal too.
		{"GHSA-h377-287m-w2r9.json", "SA-CORE-2017-003", nil, "CVE-2017-6921"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a, err := drupal.ParseOSV(openAdvisory(t, "github-advisory-database/"+tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != tt.id || a.Project != drupal.CoreProject || a.Source != "ghsa" || a.Severity != "" || a.RiskScore != -1 {
				t.Errorf("got %s %s %s %q %d", a.ID, a.Project, a.Source, a.Severity, a.RiskScore)
			}
			if tt.fixed != nil && !cmp.Equal(a.FixedVersions, tt.fixed) {
				t.Errorf("fixed = %v, want %v", a.FixedVersions, tt.fixed)
			}
			if tt.cve != "" && !slices.Contains(a.CVEs, tt.cve) {
				t.Errorf("CVEs = %v, want %s among them", a.CVEs, tt.cve)
			}
		})
	}
	// An entry that links no drupal.org advisory keeps GitHub's id.
	a, err := drupal.ParseOSV(strings.NewReader(`{"id": "GHSA-xxxx-yyyy-zzzz", "summary": "Views XSS",
		"affected": [{"package": {"ecosystem": "Packagist", "name": "drupal/views"}, "ranges": [{"type": "ECOSYSTEM",
		"events": [{"introduced": "0"}, {"fixed": "3.2.1"}]}]}], "references": [{"url": "https://github.com/advisories"}]}`))
	if err != nil || a.ID != "GHSA-XXXX-YYYY-ZZZZ" || a.Project != "views" || !cmp.Equal(a.FixedVersions, []string{"3.2.1"}) {
		t.Errorf("unlinked entry: %+v, %v", a, err)
	}
}

func TestParseFriendsOfPHP(t *testing.T) {
	tests := []struct {
		file, id, project, severity string
		fixed                       []string
		published                   string
	}{
		{"drupal/config_update/sa-contrib-2017-091.yaml", "SA-CONTRIB-2017-091", "config_update", drupal.RiskModeratelyCritical,
			[]string{"1.5.0"}, "2017-12-06T17:13:21Z"},
		// No project part in the title; four branches, each fixed.
		{"drupal/core/CVE-2018-7600.yaml", "SA-CORE-2018-002", "drupal", drupal.RiskHighlyCritical,
			[]string{"7.58", "8.3.9", "8.4.6", "8.5.1"}, "2018-03-28T19:30:00Z"},
		// Branches that end where the next begins are not fixed there: only
		// 10.1.8 and 10.2.2 fix it. No fix times.
		{"drupal/core/2024-01-17.yaml", "SA-CORE-2024-001", "drupal", drupal.RiskModeratelyCritical,
			[]string{"10.1.8", "10.2.2"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a, err := drupal.ParseFriendsOfPHP(openAdvisory(t, "friendsofphp-security-advisories/"+tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != tt.id || a.Project != tt.project || a.Severity != tt.severity || a.Source != "friendsofphp" || a.RiskScore != -1 {
				t.Errorf("got %s %s %q %s %d", a.ID, a.Project, a.Severity, a.Source, a.RiskScore)
			}
			if !cmp.Equal(a.FixedVersions, tt.fixed, cmpopts.SortSlices(func(x, y string) bool { return x < y })) {
				t.Errorf("fixed = %v, want %v", a.FixedVersions, tt.fixed)
			}
			if got := ""; !a.Published.IsZero() {
				got = a.Published.Format(time.RFC3339)
				if got != tt.published {
					t.Errorf("published %s, want %s", got, tt.published)
				}
			} else if tt.published != "" {
				t.Errorf("published unset, want %s", tt.published)
			}
		})
	}
	// Every fixture parses, with an id, a project and a fix.
	files, _ := filepath.Glob(filepath.Join("testdata", "advisories", "friendsofphp-security-advisories", "drupal", "*", "*.yaml"))
	if len(files) < 19 {
		t.Fatalf("only %d FriendsOfPHP fixtures", len(files))
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		a, err := drupal.ParseFriendsOfPHP(bytes.NewReader(b))
		if err != nil || a.Project == "" || len(a.FixedVersions) == 0 {
			t.Errorf("%s: %+v, %v", f, a, err)
		}
	}
	// A branch without a lower bound covers every version below its upper
	// one: 8.3.9 is inside ['<8.4.5'], so only 8.4.5 fixes it.
	a, err := drupal.ParseFriendsOfPHP(strings.NewReader(`title: Drupal core - Critical - SA-CORE-2018-001
link: https://www.drupal.org/sa-core-2018-001
branches:
    8.4.x:
        time: ~
        versions: ['<8.4.5']
    8.3.x:
        time: ~
        versions: ['>=8.3.0', '<8.3.9']
reference: composer://drupal/core
`))
	if err != nil || !cmp.Equal(a.FixedVersions, []string{"8.4.5"}) || a.Severity != drupal.RiskCritical {
		t.Errorf("open-ended branch: %+v, %v; want fixed [8.4.5]", a, err)
	}
	// '>' leaves its bound out and '<=' takes it in: 8.5.0 is not affected
	// (so 8.5.0 fixes the first branch), 8.5.3 is (so nothing fixes the
	// second).
	a, err = drupal.ParseFriendsOfPHP(strings.NewReader(`title: Drupal core - Critical - SA-CORE-2018-001
link: https://www.drupal.org/sa-core-2018-001
branches:
    8.4.x:
        time: ~
        versions: ['>=8.4.0', '<8.5.0']
    8.5.x:
        time: ~
        versions: ['>8.5.0', '<=8.5.3']
reference: composer://drupal/core
`))
	if err != nil || !cmp.Equal(a.FixedVersions, []string{"8.5.0"}) {
		t.Errorf("exclusive and inclusive bounds: %+v, %v; want fixed [8.5.0]", a, err)
	}
	// What is not such an advisory is refused in words.
	for name, body := range map[string]string{
		"not YAML":     "title: [unclosed",
		"no advisory":  "title: Something\nlink: https://example.com\nreference: composer://drupal/core\n",
		"not drupal":   "title: X - Critical - SA-CORE-2020-001\nlink: https://www.drupal.org/sa-core-2020-001\nreference: composer://symfony/http-kernel\n",
		"bad project":  "title: X - Critical - SA-CONTRIB-2020-001\nreference: composer://drupal/Bad-Name\n",
		"no reference": "title: X - Critical - SA-CONTRIB-2020-001\n",
	} {
		if _, err := drupal.ParseFriendsOfPHP(strings.NewReader(body)); !errors.Is(err, drupal.ErrInvalidAdvisory) {
			t.Errorf("%s: %v, want ErrInvalidAdvisory", name, err)
		}
	}
}
