package drupal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mustLoadFeed parses testdata/release-history/{name}.xml.
func mustLoadFeed(tb testing.TB, name string) *Project {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "release-history", name+".xml"))
	if err != nil {
		tb.Fatal(err)
	}
	p, err := ParseReleaseHistory(bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("parse %s: %v", name, err)
	}
	return p
}

func TestParseReleaseHistory(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		got := mustLoadFeed(t, "drupal.sec.8.0.2")
		rel := func(v string, date int64, types ...string) Release {
			slug := strings.ReplaceAll(v, ".", "-")
			return Release{
				Name: "Drupal " + v, Version: v, Status: "published",
				Date:         time.Unix(date, 0).UTC(),
				Types:        types,
				ReleaseLink:  "https://example.com/drupal-" + slug + "-release",
				DownloadLink: "https://example.com/drupal-" + slug + ".tar.gz",
			}
		}
		want := &Project{
			Title: "Drupal", ShortName: "drupal", Status: "published",
			SupportedBranches: []string{"8.0.", "8.1."},
			Link:              "https://example.com/project/drupal",
			Releases: []Release{
				rel("8.0.2", 1250424641, "New features", "Bug fixes", "Security update"),
				rel("8.0.1", 1250424581, "New features", "Bug fixes", "Insecure"),
				rel("8.0.0", 1250424521, "New features", "Bug fixes", "Insecure"),
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mismatch (-want +got):\n%s", diff)
		}
		if !got.Releases[0].IsSecurityRelease() || got.Releases[0].IsInsecure() || !got.Releases[1].IsInsecure() {
			t.Errorf("release type helpers disagree with terms")
		}
		if r, ok := got.Release("8.0.1"); !ok || r.Version != "8.0.1" {
			t.Errorf("Release(8.0.1) = %v, %v", r, ok)
		}
	})

	t.Run("CoreCompatibilityAndSecurity", func(t *testing.T) {
		p := mustLoadFeed(t, "aaa_update_test.sec.8.x-1.2_8.x-2.2")
		r := p.Releases[0]
		if r.Version != "8.x-3.0-beta2" || r.Security == nil || r.Security.Covered ||
			r.Security.Text != "Beta releases are not covered by Drupal security advisories." {
			t.Errorf("first release = %+v, security %+v", r, r.Security)
		}
		p = mustLoadFeed(t, "aaa_update_test.core_compatibility.8.x-1.2_8.x-2.2")
		if got := p.Releases[0].CoreCompatibility; got != "^8.1.1" {
			t.Errorf("core_compatibility = %q, want ^8.1.1", got)
		}
	})

	t.Run("AllFixtures", func(t *testing.T) {
		files, _ := filepath.Glob(filepath.Join("testdata", "release-history", "*.xml"))
		if len(files) == 0 {
			t.Fatal("no fixtures")
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p, err := ParseReleaseHistory(bytes.NewReader(b))
			name := filepath.Base(f)
			switch name {
			case "drupal.broken.xml":
				if !errors.Is(err, ErrInvalidFeed) {
					t.Errorf("%s: err = %v, want ErrInvalidFeed", name, err)
				}
			case "aaa_update_test.no-releases.xml":
				if !errors.Is(err, ErrProjectNotFound) {
					t.Errorf("%s: err = %v, want ErrProjectNotFound", name, err)
				}
			default:
				if err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				for _, r := range p.Releases {
					if _, err := Parse(r.Version); err != nil {
						t.Errorf("%s: release version: %v", name, err)
					}
				}
			}
		}
	})

	valid, err := os.ReadFile(filepath.Join("testdata", "release-history", "drupal.sec.8.0.2.xml"))
	if err != nil {
		t.Fatal(err)
	}
	many := `<project><short_name>x</short_name><releases>` +
		strings.Repeat(`<release><version>1.0.0</version></release>`, MaxReleases+1) + `</releases></project>`
	errCases := []struct {
		name string
		in   string
		want error
	}{
		{"ErrProjectNotFound", `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
			`<error>No release history was found for the requested project (x).</error>`, ErrProjectNotFound},
		{"ServerError", `<error>Something else</error>`, ErrInvalidFeed},
		{"Empty", ``, ErrInvalidFeed},
		{"Whitespace", "  \n", ErrInvalidFeed},
		{"Truncated", string(valid[:len(valid)/2]), ErrInvalidFeed},
		{"TruncatedAtEnd", strings.TrimSuffix(strings.TrimSpace(string(valid)), "</project>"), ErrInvalidFeed},
		{"HTMLDoctype", "<!DOCTYPE html>\n<html><head><title>502</title></head><body>Bad gateway</body></html>", ErrInvalidFeed},
		{"HTML", "<html><body><h1>Service unavailable</h1></body></html>", ErrInvalidFeed},
		{"JSON", `{"error": "nope"}`, ErrInvalidFeed},
		{"NoShortName", `<project><title>x</title></project>`, ErrInvalidFeed},
		{"OtherRoot", `<rss><channel/></rss>`, ErrInvalidFeed},
		{"BadDate", `<project><short_name>x</short_name><releases><release><version>1.0.0</version><date>yesterday</date></release></releases></project>`, ErrInvalidFeed},
		{"TrailingElement", `<project><short_name>x</short_name></project><project/>`, ErrInvalidFeed},
		{"TooManyReleases", many, ErrInvalidFeed},
	}
	for _, tt := range errCases {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseReleaseHistory(strings.NewReader(tt.in))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %+v, %v; want %v", p, err, tt.want)
			}
			if p != nil {
				t.Errorf("project = %+v, want nil on error", p)
			}
		})
	}
}

func FuzzParseReleaseHistory(f *testing.F) {
	for _, name := range []string{"drupal.sec.8.0.2", "aaa_update_test.sec.8.x-1.2_8.x-2.2", "drupal.broken", "aaa_update_test.no-releases"} {
		b, err := os.ReadFile(filepath.Join("testdata", "release-history", name+".xml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<html><body>x</body></html>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseReleaseHistory(bytes.NewReader(b))
		if err != nil {
			if !errors.Is(err, ErrInvalidFeed) && !errors.Is(err, ErrProjectNotFound) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			if p != nil {
				t.Fatalf("project with error")
			}
			return
		}
		if p.ShortName == "" || len(p.Releases) > MaxReleases {
			t.Fatalf("invalid project accepted: %+v", p)
		}
		// Whatever the feed says, evaluating against it must not panic.
		for _, installed := range []string{"8.0.0", "8.x-1.0", "2.x-dev", "dev-x", ""} {
			res := Evaluate(Input{Project: p, Installed: installed, Datestamp: 1250424600})
			if res.SecurityUpdate != (res.Status == StatusNotSecure) {
				t.Fatalf("SecurityUpdate %v with status %s", res.SecurityUpdate, res.Status)
			}
		}
	})
}
