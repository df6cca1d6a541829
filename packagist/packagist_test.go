package packagist_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/composerver"
	"github.com/fleetwatch/fleetwatch/packagist"
)

func TestCVSS3Score(t *testing.T) {
	for _, tc := range []struct {
		vector string
		want   float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.4},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
		{"CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:N", 6.0},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:N/A:N", 7.7},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:L/A:N", 5.3},
		{"CVSS:3.1/AV:N/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N", 3.1},
		{"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},
	} {
		got, err := packagist.CVSS3Score(tc.vector)
		if err != nil || got != tc.want {
			t.Errorf("CVSS3Score(%q) = %v, %v; want %v", tc.vector, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSS:3.1/AV:N/AC:L", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"} {
		if _, err := packagist.CVSS3Score(bad); err == nil {
			t.Errorf("CVSS3Score(%q) succeeded, want an error", bad)
		}
	}
}

// TestSeverity_AgreesWithGitHub checks the CVSS mapping against every
// fixture GitHub rated from a CVSS v3 vector: GitHub's own level and the
// score's band name the same one of Drupal's five levels.
func TestSeverity_AgreesWithGitHub(t *testing.T) {
	n := 0
	err := filepath.WalkDir("testdata/advisories/github", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		a, err := packagist.ParseOSV(f)
		if err != nil {
			return err
		}
		if a.CVSSScore < 0 {
			return nil
		}
		n++
		if got, want := a.Severity, packagist.SeverityForGitHub(a.GitHubSeverity); got != want {
			t.Errorf("%s: CVSS %s (%.1f) is %s, GitHub's %s is %s", a.ID, a.CVSS, a.CVSSScore, got, a.GitHubSeverity, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Fatalf("only %d fixtures with a CVSS v3 vector", n)
	}
}

func TestParseOSV(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		f, err := os.Open("testdata/advisories/github/advisories/github-reviewed/2024/11/GHSA-qq5c-677p-737q/GHSA-qq5c-677p-737q.json")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		a, err := packagist.ParseOSV(f)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != "GHSA-qq5c-677p-737q" || strings.Join(a.CVEs, ",") != "CVE-2024-51736" || a.CVSSScore != 8.4 ||
			a.Severity != fleetwatch.SeverityCritical || a.URL != "https://github.com/advisories/GHSA-qq5c-677p-737q" {
			t.Fatalf("advisory = %+v", a)
		}
		var got []string
		for _, r := range a.Ranges {
			got = append(got, r.Package+" "+r.Affected+" fixed "+r.Fixed)
		}
		want := "symfony/process <5.4.46 fixed 5.4.46|symfony/process >=6.0.0,<6.4.14 fixed 6.4.14|symfony/process >=7.0.0,<7.1.7 fixed 7.1.7|" +
			"symfony/symfony <5.4.46 fixed 5.4.46|symfony/symfony >=6.0.0,<6.4.14 fixed 6.4.14|symfony/symfony >=7.0.0,<7.1.7 fixed 7.1.7"
		if strings.Join(got, "|") != want {
			t.Fatalf("ranges = %q", got)
		}
	})
	t.Run("RangesWithoutFix", func(t *testing.T) {
		a, err := packagist.ParseOSV(strings.NewReader(`{"id":"GHSA-2222-3333-4444","aliases":["CVE-2026-1"],
			"affected":[{"package":{"ecosystem":"Packagist","name":"acme/lib"},"ranges":[{"type":"ECOSYSTEM","events":[
			{"introduced":"1.0"},{"last_affected":"1.4.2"},{"introduced":"2.0"}]}]},
			{"package":{"ecosystem":"npm","name":"acme-lib"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Ranges) != 2 || a.Ranges[0].Affected != ">=1.0,<=1.4.2" || a.Ranges[0].Fixed != "" || a.Ranges[1].Affected != ">=2.0" || a.Severity != "" {
			t.Fatalf("advisory = %+v", a)
		}
	})
	t.Run("ErrNotLibrary", func(t *testing.T) {
		_, err := packagist.ParseOSV(strings.NewReader(`{"id":"GHSA-2222-3333-4444","affected":[{"package":{"ecosystem":"Packagist","name":"drupal/core"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"10.1.8"}]}]}]}`))
		if !errors.Is(err, packagist.ErrNotLibrary) {
			t.Fatalf("err = %v, want ErrNotLibrary", err)
		}
	})
	t.Run("ErrWithdrawn", func(t *testing.T) {
		_, err := packagist.ParseOSV(strings.NewReader(`{"id":"GHSA-2222-3333-4444","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"Packagist","name":"acme/lib"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`))
		if !errors.Is(err, packagist.ErrWithdrawn) {
			t.Fatalf("err = %v, want ErrWithdrawn", err)
		}
	})
	t.Run("ErrInvalidAdvisory", func(t *testing.T) {
		for _, in := range []string{`{`, `{"affected":[]}`, `{"id":"GHSA-2222-3333-4444","affected":[{"package":{"ecosystem":"Packagist","name":"acme/lib"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"not a version"}]}]}]}`} {
			if _, err := packagist.ParseOSV(strings.NewReader(in)); !errors.Is(err, packagist.ErrInvalidAdvisory) {
				t.Errorf("ParseOSV(%s) err = %v, want ErrInvalidAdvisory", in, err)
			}
		}
	})
}

func TestParseFriendsOfPHP(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		a, err := packagist.ParseFriendsOfPHP(strings.NewReader(`title:     Change in port should be considered a change in origin
link:      https://github.com/guzzle/guzzle/security/advisories/GHSA-q559-8m2m-g699
cve:       CVE-2022-31091
branches:
    master:
        time:     2022-06-20 22:16:13
        versions: ['>=7', '<7.4.5']
    '6.x':
        versions: ['>=4', '<6.5.8']
        time:     ~
    '7.12':
        time:     2026-01-02 00:00:00
        versions: ['<7.12.1']
reference: composer://guzzlehttp/guzzle
`), "guzzlehttp/guzzle/CVE-2022-31091.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != "GHSA-q559-8m2m-g699" || a.CVEs[0] != "CVE-2022-31091" || a.Severity != "" || a.Published.Format("2006-01-02") != "2022-06-20" {
			t.Fatalf("advisory = %+v", a)
		}
		var got []string
		for _, r := range a.Ranges {
			got = append(got, r.Branch+": "+r.Affected+" fixed "+r.Fixed)
		}
		if want := "6.x: >=4,<6.5.8 fixed |7.12: <7.12.1 fixed 7.12.1|master: >=7,<7.4.5 fixed 7.4.5"; strings.Join(got, "|") != want {
			t.Fatalf("ranges = %q", got)
		}
	})
	t.Run("NoCVE", func(t *testing.T) {
		a, err := packagist.ParseFriendsOfPHP(strings.NewReader("title: x\nbranches:\n  1.x:\n    time: 2017-03-01 00:00:00\n    versions: ['<1.2']\nreference: composer://acme/lib\n"), "acme/lib/2017-03-01.yaml")
		if err != nil || a.ID != "friendsofphp:acme/lib/2017-03-01" {
			t.Fatalf("advisory = %+v, %v", a, err)
		}
	})
	t.Run("ErrNotLibrary", func(t *testing.T) {
		_, err := packagist.ParseFriendsOfPHP(strings.NewReader("title: x\nbranches:\n  1.x:\n    time: ~\n    versions: ['<1.2']\nreference: composer://drupal/core\n"), "drupal/core/x.yaml")
		if !errors.Is(err, packagist.ErrNotLibrary) {
			t.Fatalf("err = %v, want ErrNotLibrary", err)
		}
	})
	t.Run("ErrInvalidAdvisory", func(t *testing.T) {
		for _, in := range []string{"title: [", "title: x\nreference: composer://acme/lib\n", "title: x\nbranches:\n  1.x:\n    versions: ['<1.2']\nreference: nothing\n"} {
			if _, err := packagist.ParseFriendsOfPHP(strings.NewReader(in), "x.yaml"); !errors.Is(err, packagist.ErrInvalidAdvisory) {
				t.Errorf("ParseFriendsOfPHP(%q) err = %v, want ErrInvalidAdvisory", in, err)
			}
		}
	})
}

// TestSet_Check merges the two sources' words on one CVE and judges
// versions against them.
func TestSet_Check(t *testing.T) {
	fop, err := packagist.ParseFriendsOfPHP(strings.NewReader(`title: Open redirect
cve: CVE-2024-50345
branches:
    4.x:
        time: ~
        versions: ['>=4.0.0', '<5.0.0']
    5.4.x:
        time: 2024-11-05 08:00:00
        versions: ['>=5.4.0', '<5.4.46']
    6.4.x:
        time: 2024-11-05 08:00:00
        versions: ['>=6.4.0', '<6.4.14']
reference: composer://symfony/http-foundation
`), "symfony/http-foundation/CVE-2024-50345.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ghsa, err := packagist.ParseOSV(strings.NewReader(`{"id":"GHSA-mrqx-rp3w-jpjp","aliases":["CVE-2024-50345"],"summary":"Symfony vulnerable to open redirect",
		"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}],
		"affected":[{"package":{"ecosystem":"Packagist","name":"symfony/http-foundation"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.4.46"}]}]},
		{"package":{"ecosystem":"Packagist","name":"symfony/http-foundation"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"6.0.0"},{"fixed":"6.4.14"}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	set := packagist.NewSet()
	set.Add(fop)
	set.Add(ghsa)
	if n := len(set.Advisories()); n != 1 {
		t.Fatalf("%d advisories after merging, want 1", n)
	}
	a := set.Advisories()[0]
	if a.ID != "GHSA-mrqx-rp3w-jpjp" || a.Title != "Symfony vulnerable to open redirect" || a.Severity != fleetwatch.SeverityModeratelyCritical || strings.Join(a.Sources, "+") != "friendsofphp+ghsa" {
		t.Fatalf("merged = %+v", a)
	}
	for _, tc := range []struct {
		version, fixed string
		onBranch       bool
	}{
		{"v4.4.34", "5.4.46", false}, // FriendsOfPHP: no 4.x fix
		{"v5.4.7", "5.4.46", true},
		{"5.4.45", "5.4.46", true},
		{"5.4.46", "", false},
		{"v6.4.12", "6.4.14", true},
		{"6.4.14", "", false},
		{"7.1.0", "", false},
		{"dev-main", "", false},
		{"5.4.x-dev", "", false}, // 5.4.9999999-dev is past the fix
	} {
		got, err := set.Check("symfony/http-foundation", tc.version)
		if err != nil {
			t.Fatal(err)
		}
		if tc.fixed == "" {
			if len(got) != 0 {
				t.Errorf("%s: %d findings, want none", tc.version, len(got))
			}
			continue
		}
		if len(got) != 1 || got[0].Fixed != tc.fixed || got[0].FixedOnBranch != tc.onBranch {
			t.Errorf("%s: findings %+v, want fixed %s (on branch %t)", tc.version, got, tc.fixed, tc.onBranch)
		}
	}
	if got, err := set.Check("symfony/http-foundation", "not a version"); err == nil || got != nil {
		t.Errorf("Check of a bad version = %v, %v; want an error", got, err)
	}
	if got, err := set.Check("acme/other", "1.0.0"); err != nil || got != nil {
		t.Errorf("Check of a package without advisories = %v, %v", got, err)
	}
}

func TestSourceHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://packagist.org/downloads/":         "packagist.org",
		"https://packages.drupal.org/8/downloads":  "packages.drupal.org",
		"https://user:token@git.example.com/x.git": "git.example.com",
		"git@github.com:acme/lib.git":              "github.com",
		"":                                         "",
		"../path/repo":                             "",
	} {
		if got := packagist.SourceHost(in); got != want {
			t.Errorf("SourceHost(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestReadFS reads the fixture mirror: every file parses, and the two
// databases' words on the 18 shared CVEs become 18 merged advisories.
func TestReadFS(t *testing.T) {
	set := mustReadSet(t)
	merged := 0
	for _, a := range set.Advisories() {
		if len(a.Sources) == 2 {
			merged++
		}
	}
	if merged != 18 {
		t.Errorf("%d advisories told by both sources, want the 18 GHSA fixtures", merged)
	}
	if n := len(set.Packages()); n < 45 {
		t.Errorf("advisories for %d packages, want at least the 45 of FriendsOfPHP", n)
	}
}

// TestParseComposerLock_Libraries checks the library lists of the real
// locks: every package that is not a Drupal project, dev ones marked.
func TestParseComposerLock_Libraries(t *testing.T) {
	for _, tc := range []struct {
		site      string
		libs, dev int
	}{{"va-gov-cms-d9", 275, 18}, {"boston-gov", 226, 83}, {"unocha-site", 214, 100}} {
		inv := mustReadLock(t, tc.site)
		dev := 0
		for _, l := range inv.Libraries {
			if l.Dev {
				dev++
			}
			if l.Name == "" || l.Version == "" {
				t.Errorf("%s: library %+v lacks name or version", tc.site, l)
			}
		}
		if len(inv.Libraries) != tc.libs || dev != tc.dev {
			t.Errorf("%s: %d libraries (%d dev), want %d (%d dev)", tc.site, len(inv.Libraries), dev, tc.libs, tc.dev)
		}
	}
}

// TestRealLockVersions checks that Composer's normalisation reads every
// library version of the real locks (v-prefixes, "1.0.0beta5",
// "v10.2.0-patch2", "dev-master").
func TestRealLockVersions(t *testing.T) {
	for _, site := range sites {
		for _, l := range mustReadLock(t, site).Libraries {
			if _, err := composerver.Normalize(l.Version); err != nil {
				t.Errorf("%s: %s %s: %v", site, l.Name, l.Version, err)
			}
		}
	}
}
