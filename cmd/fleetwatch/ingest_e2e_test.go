package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/internal/e2etest"
	"github.com/fleetwatch/fleetwatch/redisx/redistest"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// These tests run the real binary, as an operator would, to kill it.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// fleetwatchBin builds the fleetwatch binary once per test run.
func fleetwatchBin(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fleetwatch-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "fleetwatch")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func baseEnv(dbURL string, extra ...string) []string {
	return append(append(os.Environ(),
		"FLEETWATCH_DATABASE_URL="+dbURL,
		"FLEETWATCH_SECRET_KEY=e2e-secret-key-e2e-secret-key-0123456789",
		"FLEETWATCH_BCRYPT_COST=4",
		"FLEETWATCH_LOG_LEVEL=warn",
		// No test reaches the internet: feeds and advisories come from an
		// empty local mirror.
		"FLEETWATCH_RELEASE_FEED_URL="+offlineMirror,
		"FLEETWATCH_ADVISORY_URL="+offlineMirror,
	), extra...)
}

// proc is a running `fleetwatch serve`.
type proc = e2etest.Server

func startServe(t *testing.T, dbURL string, extra ...string) *proc {
	t.Helper()
	return e2etest.Serve(t, fleetwatchBin(t), baseEnv(dbURL, extra...))
}

// client talks to a server as one caller.
type client = e2etest.Client

// setupSite creates the first admin, an organization, a site and its key.
func setupSite(t *testing.T, dbURL, url string) (admin *client, siteID, key string) {
	t.Helper()
	cmd := exec.Command(fleetwatchBin(t), "users", "create", "--email", "root@example.com", "--password", "correct horse battery", "--role", "admin")
	cmd.Env = baseEnv(dbURL)
	if out, err := cmd.CombinedOutput(); err != nil && !strings.Contains(string(out), "already") {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	admin = &client{T: t, URL: url}
	admin.Token = admin.Must(200, "POST", "/api/v1/auth/login", map[string]any{"email": "root@example.com", "password": "correct horse battery"})["access_token"].(string)
	org := admin.Must(201, "POST", "/api/v1/organizations", map[string]any{"name": "Acme"})["id"].(string)
	siteID = admin.Must(201, "POST", "/api/v1/sites", map[string]any{"name": "one", "url": "https://one.example", "organization_id": org})["id"].(string)
	key = admin.Must(201, "POST", "/api/v1/sites/"+siteID+"/api-keys", map[string]any{"name": "push"})["key"].(string)
	return admin, siteID, key
}

func inventory(i int) map[string]any {
	return map[string]any{
		"snapshot_id":  fmt.Sprintf("snap-%d", i),
		"collected_at": time.Now().UTC().Add(time.Duration(i-1000) * time.Second).Format(time.RFC3339),
		"drupal":       map[string]any{"core_version": "10.3.6"},
		"modules": []any{
			map[string]any{"name": "drupal", "type": "core", "version": "10.3.6"},
			map[string]any{"name": "token", "version": fmt.Sprintf("8.x-1.%d", i)},
		},
	}
}

// statusCounts counts audit logs by status, straight from the database.
func statusCounts(t *testing.T, dbURL string) map[string]int {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	out := map[string]int{}
	for _, st := range fleetwatch.AuditStatuses {
		_, n, err := s.FindAuditLogs(context.Background(), fleetwatch.AuditLogFilter{ListOptions: fleetwatch.ListOptions{PerPage: 1}, Status: st})
		if err != nil {
			t.Fatal(err)
		}
		out[st] = n
	}
	return out
}

func waitProcessed(t *testing.T, dbURL string, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c := statusCounts(t, dbURL)
		if c[fleetwatch.AuditProcessed] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processed %v, want %d processed", c, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestIngestE2E_SurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary")
	}
	for _, b := range sqlstoretest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			dbURL := sqlstoretest.NewDatabaseURL(t, b)
			// Workers hold every claimed payload for an hour: the kill
			// lands between the 202 and the processing.
			p := startServe(t, dbURL, "FLEETWATCH_TEST_INGEST_DELAY=1h")
			_, _, key := setupSite(t, dbURL, p.URL)
			site := &client{T: t, URL: p.URL, Token: key}
			for i := range 10 {
				site.Must(202, "POST", "/api/v1/ingest/inventory", inventory(i))
			}
			site.Must(202, "POST", "/api/v1/ingest/patch-runs", map[string]any{"run_id": "r1", "status": "succeeded", "changes": []any{}})
			time.Sleep(300 * time.Millisecond) // let a worker claim
			if err := p.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-p.Done
			if c := statusCounts(t, dbURL); c[fleetwatch.AuditProcessed] != 0 || c[fleetwatch.AuditProcessing] == 0 {
				t.Fatalf("before restart: %v (want some claimed, none processed)", c)
			}
			// On restart the stuck claims are swept back and everything is
			// applied, once.
			p2 := startServe(t, dbURL, "FLEETWATCH_INGEST_STUCK_AFTER=1s")
			waitProcessed(t, dbURL, 11)
			admin, siteID, _ := loginAgain(t, p2.URL)
			mods := admin.Must(200, "GET", "/api/v1/sites/"+siteID+"/modules", nil)
			if n := len(mods["data"].([]any)); n != 2 {
				t.Fatalf("site runs %d projects, want 2", n)
			}
			runs := admin.Must(200, "GET", "/api/v1/patch-runs", nil)
			if n := len(runs["data"].([]any)); n != 1 {
				t.Fatalf("%d patch runs, want 1", n)
			}
		})
	}
}

// loginAgain signs the admin in and finds the one site.
func loginAgain(t *testing.T, url string) (*client, string, string) {
	admin := &client{T: t, URL: url}
	admin.Token = admin.Must(200, "POST", "/api/v1/auth/login", map[string]any{"email": "root@example.com", "password": "correct horse battery"})["access_token"].(string)
	sites := admin.Must(200, "GET", "/api/v1/sites", nil)["data"].([]any)
	return admin, sites[0].(map[string]any)["id"].(string), ""
}

func TestIngestE2E_SIGTERMDrains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dbURL := sqlstoretest.NewDatabaseURL(t, sqlstoretest.SQLite)
	p := startServe(t, dbURL, "FLEETWATCH_TEST_INGEST_DELAY=200ms")
	_, _, key := setupSite(t, dbURL, p.URL)
	site := &client{T: t, URL: p.URL, Token: key}
	for i := range 5 {
		site.Must(202, "POST", "/api/v1/ingest/inventory", inventory(i))
	}
	time.Sleep(100 * time.Millisecond)
	if err := p.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.Done
	if p.Err != nil {
		t.Fatalf("serve exited with %v:\n%s", p.Err, p.Stderr)
	}
	c := statusCounts(t, dbURL)
	if c[fleetwatch.AuditProcessing] != 0 || c[fleetwatch.AuditProcessed] == 0 || c[fleetwatch.AuditProcessed]+c[fleetwatch.AuditQueued] != 5 {
		t.Fatalf("after SIGTERM: %v (claimed work must finish, nothing stuck)", c)
	}
}

func TestIngestE2E_TwoReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	redisURL := redistest.URL(t)
	dbURL := sqlstoretest.NewDatabaseURL(t, sqlstoretest.Postgres)
	a := startServe(t, dbURL, "FLEETWATCH_REDIS_URL="+redisURL)
	b := startServe(t, dbURL, "FLEETWATCH_REDIS_URL="+redisURL)
	admin, siteID, key := setupSite(t, dbURL, a.URL)
	const n = 60
	// The inventories are made before they race, so that their collection
	// times rise with i whenever each goroutine gets to run.
	inventories := make([]map[string]any, n)
	for i := range n {
		inventories[i] = inventory(i)
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := a.URL
			if i%2 == 1 {
				url = b.URL
			}
			c := &client{T: t, URL: url, Token: key}
			c.Must(202, "POST", "/api/v1/ingest/patch-runs", map[string]any{"run_id": fmt.Sprint("run-", i), "status": "succeeded", "changes": []any{}})
			c.Must(202, "POST", "/api/v1/ingest/inventory", inventories[i])
		}()
	}
	wg.Wait()
	waitProcessed(t, dbURL, 2*n)
	runs := admin.Must(200, "GET", "/api/v1/sites/"+siteID+"/patch-runs?per_page=500", nil)
	if got := int(runs["meta"].(map[string]any)["total"].(float64)); got != n {
		t.Fatalf("%d patch runs, want %d", got, n)
	}
	logs := admin.Must(200, "GET", "/api/v1/audit-logs?per_page=500", nil)["data"].([]any)
	for _, l := range logs {
		if l.(map[string]any)["attempts"].(float64) != 1 {
			t.Fatalf("a payload was claimed twice: %v", l)
		}
	}
	// The newest snapshot is current, whichever replica applied it.
	mods := admin.Must(200, "GET", "/api/v1/sites/"+siteID+"/modules?q=token", nil)["data"].([]any)
	if v := mods[0].(map[string]any)["version"]; v != fmt.Sprintf("8.x-1.%d", n-1) {
		t.Fatalf("current token version %v, want the newest snapshot's", v)
	}
}

func TestIngestE2E_AgentPush(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dbURL := sqlstoretest.NewDatabaseURL(t, sqlstoretest.SQLite)
	p := startServe(t, dbURL)
	admin, siteID, key := setupSite(t, dbURL, p.URL)
	lock := filepath.Join(t.TempDir(), "composer.lock")
	os.WriteFile(lock, []byte(`{"packages": [
		{"name": "drupal/core", "version": "10.3.6", "type": "drupal-core"},
		{"name": "drupal/ctools", "version": "4.1.0", "type": "drupal-module", "extra": {"drupal": {"version": "4.1.0"}}},
		{"name": "drupal/token", "version": "1.15.0", "type": "drupal-module", "extra": {"drupal": {"version": "8.x-1.15"}}}
	]}`), 0o644)
	for range 2 {
		cmd := exec.Command(fleetwatchBin(t), "agent", "push", "--server", p.URL, "--key", key, "--composer-lock", lock)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "pushed 3 projects") {
			t.Fatalf("agent push: %v\n%s", err, out)
		}
	}
	waitProcessed(t, dbURL, 2)
	mods := admin.Must(200, "GET", "/api/v1/sites/"+siteID+"/modules", nil)["data"].([]any)
	if len(mods) != 3 {
		t.Fatalf("site modules %v, want 3", mods)
	}
	out, err := exec.Command(fleetwatchBin(t), "agent", "push", "--server", p.URL, "--key", "fwk_wrong", "--composer-lock", lock).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "401") {
		t.Fatalf("wrong key: %v\n%s", err, out)
	}
}
