package drupalorg_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupalorg"
	"github.com/prometheus/client_golang/prometheus"
)

const fixtures = "../drupal/testdata/release-history"

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(fixtures, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// newClient returns a client of the server's feeds, with fast retries and
// its metrics in a registry of its own.
func newClient(tb testing.TB, feedURL string) (*drupalorg.Client, *prometheus.Registry) {
	tb.Helper()
	reg := prometheus.NewRegistry()
	c, err := drupalorg.New(drupalorg.Config{FeedURL: feedURL, Timeout: 200 * time.Millisecond,
		Backoff: time.Millisecond, Retries: 1, MaxFeedBytes: 1 << 20, Registerer: reg})
	if err != nil {
		tb.Fatal(err)
	}
	return c, reg
}

func fetches(reg *prometheus.Registry, result string) float64 {
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != "fleetwatch_drupalorg_fetches_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == "feed" && labels["result"] == result {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func TestClient_FetchFeed(t *testing.T) {
	feed := fixture(t, "drupal.sec.8.0.2.xml")
	var hits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/drupal/current", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
		w.Write(feed)
	})
	mux.HandleFunc("/html/current", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!DOCTYPE html><html><body><h1>Site under maintenance</h1></body></html>"))
	})
	mux.HandleFunc("/truncated/current", func(w http.ResponseWriter, r *http.Request) { w.Write(feed[:len(feed)/2]) })
	mux.HandleFunc("/unknown/current", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?>` + "\n<error>No release history was found for the requested project (unknown).</error>"))
	})
	mux.HandleFunc("/gone/current", http.NotFound)
	mux.HandleFunc("/broken/current", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	mux.HandleFunc("/slow/current", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/huge/current", func(w http.ResponseWriter, r *http.Request) {
		// 50 MB, streamed without a length: the client must stop reading.
		chunk := []byte(strings.Repeat("<release>", 1<<17))
		for i := 0; i < 50<<20/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c, reg := newClient(t, srv.URL)
	ctx := context.Background()

	t.Run("OK and conditional", func(t *testing.T) {
		resp, err := c.FetchFeed(ctx, "drupal", "", "")
		if err != nil || len(resp.Body) != len(feed) || resp.ETag != `"v1"` || resp.LastModified == "" {
			t.Fatalf("first fetch = %+v, %v", resp, err)
		}
		resp, err = c.FetchFeed(ctx, "drupal", resp.ETag, resp.LastModified)
		if err != nil || !resp.NotModified || resp.Body != nil {
			t.Fatalf("conditional fetch = %+v, %v", resp, err)
		}
		if fetches(reg, "not_modified") != 1 || fetches(reg, "ok") != 1 {
			t.Errorf("metrics ok=%v not_modified=%v", fetches(reg, "ok"), fetches(reg, "not_modified"))
		}
	})
	invalid := map[string]string{"html": "invalid", "truncated": "invalid", "huge": "too_large"}
	for project, result := range invalid {
		t.Run(project, func(t *testing.T) {
			before := fetches(reg, result)
			_, err := c.FetchFeed(ctx, project, "", "")
			if !errors.Is(err, fleetwatch.ErrFeedInvalid) {
				t.Fatalf("error = %v, want ErrFeedInvalid", err)
			}
			if fetches(reg, result) != before+1 {
				t.Errorf("%s not counted", result)
			}
		})
	}
	for _, project := range []string{"unknown", "gone"} {
		t.Run(project, func(t *testing.T) {
			resp, err := c.FetchFeed(ctx, project, "", "")
			if err != nil || !resp.NotFound {
				t.Fatalf("= %+v, %v; want NotFound", resp, err)
			}
		})
	}
	t.Run("500 retried then failed", func(t *testing.T) {
		hits.Store(0)
		_, err := c.FetchFeed(ctx, "broken", "", "")
		if err == nil || errors.Is(err, fleetwatch.ErrFeedInvalid) {
			t.Fatalf("error = %v, want a transient error", err)
		}
		if hits.Load() != 2 {
			t.Errorf("%d attempts, want 2", hits.Load())
		}
		if fetches(reg, "http_error") != 1 {
			t.Errorf("http_error not counted")
		}
	})
	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		_, err := c.FetchFeed(ctx, "slow", "", "")
		if err == nil || time.Since(start) > 1500*time.Millisecond {
			t.Fatalf("error = %v after %s", err, time.Since(start))
		}
		if fetches(reg, "timeout") != 1 {
			t.Errorf("timeout not counted")
		}
	})
	for _, bad := range []string{"../etc/passwd", "a/b", "..", "", "Views", "x?y=1", strings.Repeat("a", 200)} {
		t.Run("bad project "+bad, func(t *testing.T) {
			if _, err := c.FetchFeed(ctx, bad, "", ""); !errors.Is(err, fleetwatch.ErrFeedInvalid) {
				t.Fatalf("error = %v, want ErrFeedInvalid", err)
			}
		})
	}
}

func TestClient_FetchFeed_File(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "drupal"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "drupal", "current"), fixture(t, "drupal.sec.8.0.2.xml"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := newClient(t, "file://"+dir)
	ctx := context.Background()
	resp, err := c.FetchFeed(ctx, "drupal", "", "")
	if err != nil || len(resp.Body) == 0 || resp.LastModified == "" {
		t.Fatalf("= %+v, %v", resp, err)
	}
	again, err := c.FetchFeed(ctx, "drupal", "", resp.LastModified)
	if err != nil || !again.NotModified {
		t.Fatalf("conditional = %+v, %v", again, err)
	}
	missing, err := c.FetchFeed(ctx, "ctools", "", "")
	if err != nil || !missing.NotFound {
		t.Fatalf("missing = %+v, %v", missing, err)
	}
}

func TestClient_FetchAdvisories(t *testing.T) {
	ctx := context.Background()
	t.Run("api-d7 over HTTP", func(t *testing.T) {
		sa, err := os.ReadFile("../drupal/testdata/advisories/drupal-org-api-d7/sa-key_auth.json")
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(sa) }))
		defer srv.Close()
		c, err := drupalorg.New(drupalorg.Config{AdvisoryURL: srv.URL + "/api-d7/node.json?type=sa"})
		if err != nil {
			t.Fatal(err)
		}
		advs, err := c.FetchAdvisories(ctx)
		if err != nil || len(advs) != 1 {
			t.Fatalf("= %v, %v", advs, err)
		}
		a := advs[0]
		if a.AdvisoryID != "SA-CONTRIB-2026-138" || a.Project != "key_auth" || a.RiskLabel != "Moderately critical" ||
			a.Severity != fleetwatch.SeverityModeratelyCritical || a.RiskScore == nil || *a.RiskScore != 13 {
			t.Errorf("advisory = %+v", a)
		}
	})
	t.Run("file folder of OSV and api-d7", func(t *testing.T) {
		c, err := drupalorg.New(drupalorg.Config{AdvisoryURL: "file://../drupal/testdata/advisories"})
		if err != nil {
			t.Fatal(err)
		}
		advs, err := c.FetchAdvisories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// 12 Drupal OSV entries, the api-d7 one, 6 GitHub entries and 19
		// FriendsOfPHP ones.
		if len(advs) != 38 {
			t.Errorf("%d advisories, want 38", len(advs))
		}
		// drupal.org's own come last, so that they win where sources merge.
		rank := map[string]int{"ghsa": 0, "friendsofphp": 1, "osv": 2, "api-d7": 3}
		for i := 1; i < len(advs); i++ {
			if rank[advs[i-1].Source] > rank[advs[i].Source] {
				t.Fatalf("advisory %d (%s) before %d (%s)", i-1, advs[i-1].Source, i, advs[i].Source)
			}
		}
		byID := map[string][]*fleetwatch.Advisory{}
		for _, a := range advs {
			byID[a.AdvisoryID] = append(byID[a.AdvisoryID], a)
		}
		// FriendsOfPHP gives a contrib advisory its risk, which OSV lacks.
		if got := byID["SA-CONTRIB-2017-091"]; len(got) != 1 || got[0].Project != "config_update" || got[0].Severity != fleetwatch.SeverityModeratelyCritical {
			t.Errorf("SA-CONTRIB-2017-091 = %+v", got)
		}
		// GitHub's three entries for one drupal.org advisory take its id.
		if got := byID["SA-CORE-2018-006"]; len(got) != 3 {
			t.Errorf("SA-CORE-2018-006 from %d entries, want GitHub's 3", len(got))
		}
	})
	t.Run("HTML instead of JSON", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>maintenance</html>")) }))
		defer srv.Close()
		c, _ := drupalorg.New(drupalorg.Config{AdvisoryURL: srv.URL})
		if _, err := c.FetchAdvisories(ctx); err == nil {
			t.Fatal("no error")
		}
	})
}
