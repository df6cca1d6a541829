package platform

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/drupal"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestData_Judge(t *testing.T) {
	d := Embedded()
	for _, tc := range []struct {
		product, version, at string
		status, message      string
		soon                 bool
	}{
		{PHP, "8.1.27", "2026-01-05", StatusEnded, "PHP 8.1 — security support ended 2025-12-31", false},
		{PHP, "8.1.27", "2025-12-31", StatusSecurityOnly, "PHP 8.1 — security support ends today, 2025-12-31", true},
		{PHP, "8.1.27", "2025-12-30", StatusSecurityOnly, "PHP 8.1 — security support ends 2025-12-31, tomorrow", true},
		{PHP, "8.1.27", "2025-10-02", StatusSecurityOnly, "PHP 8.1 — security support ends 2025-12-31, in 90 days", true},
		{PHP, "8.1.27", "2025-10-01", StatusSecurityOnly, "PHP 8.1 — security fixes only, until 2025-12-31", false},
		{PHP, "8.2.10", "2026-10-10", StatusSecurityOnly, "PHP 8.2 — security support ends 2026-12-31, in 82 days", true},
		{PHP, "8.3.1", "2026-12-06", StatusSecurityOnly, "PHP 8.3 — security fixes only, until 2027-12-31", false},
		{PHP, "8.4.2", "2026-12-06", StatusSupported, "PHP 8.4 — supported; security support until 2028-12-31", false},
		{PHP, "7.4", "2026-12-06", StatusEnded, "PHP 7.4 — security support ended 2022-11-28", false},
		{PHP, "8.1.2-1ubuntu2.14", "2026-12-06", StatusEnded, "PHP 8.1 — security support ended 2025-12-31", false},
		{PHP, "9.0.0", "2026-12-06", StatusUnknown, "PHP 9.0.0 — not in the end-of-life data", false},
		// The three real sites: va.gov-cms on 9.3.12 (PHP 7.4), boston.gov
		// on 10.3.6, unocha on 11.4.4 (PHP >=8.4).
		{Drupal, "9.3.12", "2026-12-06", StatusEnded, "Drupal core 9.3 — security support ended 2022-12-14", false},
		{Drupal, "10.3.6", "2026-12-06", StatusEnded, "Drupal core 10.3 — security support ended 2025-06-16", false},
		{Drupal, "11.4.4", "2026-12-06", StatusSupported, "Drupal core 11.4 — supported; security support until 2027-07-07", false},
		{Drupal, "7.101", "2026-12-06", StatusEnded, "Drupal core 7 — security support ended 2025-01-05", false},
	} {
		v := d.Judge(tc.product, tc.version, day(tc.at))
		if v.Status != tc.status || v.Message != tc.message || v.EndsSoon != tc.soon {
			t.Errorf("Judge(%s %s at %s) = %s, %q, soon %t; want %s, %q, soon %t", tc.product, tc.version, tc.at, v.Status, v.Message, v.EndsSoon, tc.status, tc.message, tc.soon)
		}
	}
}

func TestData_JudgeDrupalCore(t *testing.T) {
	d := Embedded()
	feed := &drupal.Project{ShortName: "drupal", SupportedBranches: []string{"10.5.", "10.6.", "11.2.", "11.3."}}
	at := day("2026-03-01")
	for _, tc := range []struct{ version, status, message string }{
		{"10.6.2", StatusSupported, "Drupal core 10.6 — supported; security support until 2026-12-16"},
		{"10.4.9", StatusEnded, "Drupal core 10.4 — security support ended 2025-12-10"},
		// The dates say 11.1 ended; drupal.org's feed agrees, message from dates.
		{"11.1.8", StatusEnded, "Drupal core 11.1 — security support ended 2025-12-10"},
	} {
		if v := d.JudgeDrupalCore(tc.version, feed, at); v.Status != tc.status || v.Message != tc.message {
			t.Errorf("JudgeDrupalCore(%s) = %s, %q; want %s, %q", tc.version, v.Status, v.Message, tc.status, tc.message)
		}
	}
	// The feed drops a branch the dates still support: the feed wins.
	early := &drupal.Project{ShortName: "drupal", SupportedBranches: []string{"11.3."}}
	if v := d.JudgeDrupalCore("11.2.1", early, at); v.Status != StatusEnded || v.Message != "Drupal core 11.2 — no longer a supported branch on drupal.org (supported: 11.3.x)" {
		t.Errorf("JudgeDrupalCore(11.2.1) = %s, %q", v.Status, v.Message)
	}
	// The feed still supports a branch the dates (a guess) ended.
	late := &drupal.Project{ShortName: "drupal", SupportedBranches: []string{"11.1."}}
	if v := d.JudgeDrupalCore("11.1.8", late, at); v.Status != StatusSupported {
		t.Errorf("JudgeDrupalCore(11.1.8) with 11.1 supported = %s, %q", v.Status, v.Message)
	}
	// Without a feed the dates decide.
	if v := d.JudgeDrupalCore("11.2.1", nil, at); v.Status != StatusSecurityOnly {
		t.Errorf("JudgeDrupalCore(11.2.1, no feed) = %s, %q", v.Status, v.Message)
	}
}

const apiJSON = `[
 {"cycle":"9.0","releaseDate":"2029-11-20","support":"2031-12-31","eol":"2033-12-31","latest":"9.0.0"},
 {"cycle":"8.5","releaseDate":"2025-11-20","support":"2027-12-31","eol":"2029-12-31","latest":"8.5.9"},
 {"cycle":"5.0","releaseDate":"2004-07-13","support":true,"eol":true},
 {"cycle":"8.6","releaseDate":"2026-11-20","support":false,"eol":false}
]`

func TestParse(t *testing.T) {
	cycles, err := Parse(strings.NewReader(apiJSON))
	if err != nil {
		t.Fatal(err)
	}
	if len(cycles) != 4 || cycles[0].Name != "9.0" || !cycles[0].SecurityEnds.Equal(day("2033-12-31")) || !cycles[2].Ended || cycles[3].Ended || !cycles[3].SecurityEnds.IsZero() {
		t.Fatalf("cycles = %+v", cycles)
	}
	d := Embedded().With(PHP, cycles)
	if v := d.Judge(PHP, "9.0.1", day("2030-01-01")); v.Status != StatusSupported {
		t.Errorf("refreshed data: 9.0 is %s (%s)", v.Status, v.Message)
	}
	if v := d.Judge(PHP, "5.0.5", day("2030-01-01")); v.Status != StatusEnded || v.Message != "PHP 5.0 — security support ended" {
		t.Errorf("5.0 is %s (%s)", v.Status, v.Message)
	}
	if v := d.Judge(PHP, "8.6.0", day("2030-01-01")); v.Status != StatusSupported || v.Message != "PHP 8.6 — supported" {
		t.Errorf("8.6 is %s (%s)", v.Status, v.Message)
	}
	if v := Embedded().Judge(PHP, "9.0.1", day("2030-01-01")); v.Status != StatusUnknown {
		t.Errorf("With changed the embedded data: %s", v.Status)
	}
	for _, bad := range []string{"", "[]", "{}", "---\nreleases: [\n---\n", `[{"cycle":"1","eol":"soon"}]`, "---\nreleases:\n  - eol: 2020-01-01\n---\n"} {
		if _, err := Parse(strings.NewReader(bad)); !errors.Is(err, ErrInvalidData) {
			t.Errorf("Parse(%q) err = %v, want ErrInvalidData", bad, err)
		}
	}
}

func TestFetch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "php.json")
	if err := os.WriteFile(path, []byte(apiJSON), 0o644); err != nil {
		t.Fatal(err)
	}
	if cycles, err := Fetch(ctx, http.DefaultClient, "file://"+path); err != nil || len(cycles) != 4 {
		t.Fatalf("Fetch(file://) = %d cycles, %v", len(cycles), err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/php.json" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(apiJSON))
	}))
	defer srv.Close()
	if cycles, err := Fetch(ctx, srv.Client(), srv.URL+"/api/php.json"); err != nil || len(cycles) != 4 {
		t.Fatalf("Fetch(http) = %d cycles, %v", len(cycles), err)
	}
	if _, err := Fetch(ctx, srv.Client(), srv.URL+"/missing"); err == nil || !strings.Contains(err.Error(), "HTTP 404") {
		t.Fatalf("Fetch(404) err = %v", err)
	}
	if _, err := Fetch(ctx, srv.Client(), "ftp://example.com/php.json"); err == nil {
		t.Fatal("Fetch(ftp://) succeeded")
	}
}
