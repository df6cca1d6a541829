package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/google/go-cmp/cmp"
)

// push posts one inventory with a site key and returns the audit log id of
// a 202, or "".
func push(url, key string, i int) string {
	b, _ := json.Marshal(inventory(i))
	req, _ := http.NewRequest("POST", url+"/api/v1/ingest/inventory", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if res.StatusCode != http.StatusAccepted || json.NewDecoder(res.Body).Decode(&out) != nil {
		return ""
	}
	return out.Data.ID
}

// reportFigures are the summary and security-update reports of every
// organization, by organization id.
func reportFigures(t *testing.T, url, token string, orgs []string) map[string]any {
	t.Helper()
	figures := map[string]any{}
	for _, org := range orgs {
		for _, r := range []string{"summary", "security-updates", "sla-compliance"} {
			status, body := call(t, "GET", url+"/api/v1/reports/"+r+"?organization_id="+org, token, nil)
			if status != 200 {
				t.Fatalf("%s report of %s: %d %v", r, org, status, body)
			}
			if d, ok := body["data"].(map[string]any); ok {
				delete(d, "generated_at") // when, not what
			}
			figures[org+" "+r] = body["data"]
		}
	}
	return figures
}

// TestBackup_WhileServingAndPushing backs up a demo fleet while serve runs
// and sites push, restores the archive into a new folder and serves it: the
// reports are the same, the secret key came along (a token of the first
// server is good on the second), and every push answered 202 before the
// backup began is there.
func TestBackup_WhileServingAndPushing(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, sqlstoretest.SQLite)
	cfg.SecretKey = "" // generated into fleetwatch.key, which the backup carries
	// Both servers judge by the demo's own feeds, so that the reports do
	// not change as feeds are refreshed.
	mirror := t.TempDir()
	cfg.ReleaseFeedURL, cfg.AdvisoryURL = "file://"+filepath.Join(mirror, "release-history"), "file://"+filepath.Join(mirror, "advisories")
	var out, errOut bytes.Buffer
	if err := run(ctx, append(demoArgs(t, cfg, "--sites-per-org", "2"), "--mirror", mirror), &out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	m := adminLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no admin password printed:\n%s", out.String())
	}
	srv := startMain(t, cfg)
	_, login := call(t, "POST", srv.URL()+"/api/v1/auth/login", "", map[string]string{"email": "admin@demo.example", "password": m[1]})
	token := login["data"].(map[string]any)["access_token"].(string)
	_, list := call(t, "GET", srv.URL()+"/api/v1/organizations", token, nil)
	var demoOrgs []string
	for _, o := range list["data"].([]any) {
		demoOrgs = append(demoOrgs, o.(map[string]any)["id"].(string))
	}
	// The pushes go to a site of an organization of their own, so that
	// the demo organizations' reports stay still.
	_, body := call(t, "POST", srv.URL()+"/api/v1/organizations", token, map[string]any{"name": "Pushers"})
	org := body["data"].(map[string]any)["id"].(string)
	_, body = call(t, "POST", srv.URL()+"/api/v1/sites", token, map[string]any{"name": "pushed", "url": "https://pushed.example", "organization_id": org})
	site := body["data"].(map[string]any)["id"].(string)
	_, body = call(t, "POST", srv.URL()+"/api/v1/sites/"+site+"/api-keys", token, map[string]any{"name": "push"})
	key := body["data"].(map[string]any)["key"].(string)
	for i := range 10 {
		if push(srv.URL(), key, i) == "" {
			t.Fatalf("push %d was not accepted", i)
		}
	}
	before := reportFigures(t, srv.URL(), token, demoOrgs)

	// Pushes in flight while the backup runs; those answered 202 before
	// it began must be in it.
	var (
		started  atomic.Bool
		stop     = make(chan struct{})
		ready    = make(chan error, 5) // 20 pushes accepted, or a push refused
		mu       sync.Mutex
		required []string
		during   int
		wg       sync.WaitGroup
		next     atomic.Int64
	)
	next.Store(10)
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				i := int(next.Add(1))
				id := push(srv.URL(), key, i)
				after := started.Load()
				mu.Lock()
				switch {
				case id == "" && !after:
					ready <- fmt.Errorf("push %d was not accepted", i)
				case id == "":
				case !after:
					required = append(required, id)
					if len(required) == 20 {
						ready <- nil
					}
				default:
					during++
				}
				mu.Unlock()
				if id == "" && !after {
					return
				}
			}
		})
	}
	if err := <-ready; err != nil {
		close(stop)
		wg.Wait()
		t.Fatal(err)
	}
	started.Store(true)
	archive := filepath.Join(t.TempDir(), "fleetwatch-backup.tar.gz")
	out.Reset()
	err := run(ctx, []string{"backup", "--database-url", cfg.DatabaseURL, "--to", archive}, &out, &errOut)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	t.Logf("%s(%d pushes before the backup, %d accepted during or after it)", out.String(), len(required), during)
	if st, err := os.Stat(archive); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("archive: %v %v, want mode 0600", st, err)
	}

	// Restore into a new folder and serve from there.
	restored := cfg
	restored.DatabaseURL = "sqlite://" + filepath.Join(t.TempDir(), "data", "fleetwatch.db")
	out.Reset()
	if err := run(ctx, []string{"restore", "--database-url", restored.DatabaseURL, "--from", archive}, &out, &errOut); err != nil {
		t.Fatalf("restore: %v\n%s", err, errOut.String())
	}
	t.Log(out.String())
	srv2 := startMain(t, restored)
	if diff := cmp.Diff(before, reportFigures(t, srv2.URL(), token, demoOrgs)); diff != "" {
		t.Errorf("reports after the restore differ (-before +restored):\n%s", diff)
	}
	store, err := sqlstore.Open(ctx, restored.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for _, id := range required {
		if _, err := store.FindAuditLogByUUID(ctx, id); err != nil {
			t.Errorf("push %s, accepted before the backup, is not in the restored database: %v", id, err)
		}
	}

	// A second restore onto the data would replace it: refused.
	err = run(ctx, []string{"restore", "--database-url", restored.DatabaseURL, "--from", archive}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over a served database: %v, want a refusal naming --force", err)
	}
}

// TestRestore_RefusesWithoutForce restores over a database with data:
// refused with a message naming --force, leaving it as it was; with --force
// the archive replaces it, WAL and all.
func TestRestore_RefusesWithoutForce(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t, sqlstoretest.SQLite)
	cfg.SecretKey = ""
	createUser := func(email string) {
		t.Helper()
		var out, errOut bytes.Buffer
		if err := run(ctx, []string{"users", "create", "--database-url", cfg.DatabaseURL, "--bcrypt-cost", "4", "--log-level", "error",
			"--email", email, "--password", "ops-password", "--role", "admin"}, &out, &errOut); err != nil {
			t.Fatalf("users create: %v %s", err, errOut.String())
		}
	}
	createUser("first@example.com")
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"backup", "--database-url", cfg.DatabaseURL, "--to", archive}, &out, &errOut); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := run(ctx, []string{"backup", "--database-url", cfg.DatabaseURL, "--to", archive}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing archive: %v", err)
	}
	createUser("second@example.com")

	users := func() int {
		t.Helper()
		s, err := sqlstore.Open(ctx, cfg.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_, n, err := s.FindUsers(ctx, fleetwatch.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	err := run(ctx, []string{"restore", "--database-url", cfg.DatabaseURL, "--from", archive}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "holds a Fleetwatch database with data") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("restore over data: %v, want a refusal naming --force", err)
	}
	if n := users(); n != 2 {
		t.Fatalf("%d users after a refused restore, want 2", n)
	}
	if err := run(ctx, []string{"restore", "--database-url", cfg.DatabaseURL, "--from", archive, "--force"}, &out, &errOut); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	if n := users(); n != 1 {
		t.Fatalf("%d users after restore --force, want the backup's 1", n)
	}
	if err := run(ctx, []string{"restore", "--database-url", cfg.DatabaseURL, "--from", filepath.Join(t.TempDir(), "none.tar.gz"), "--force"}, &out, &errOut); err == nil {
		t.Error("restore from a missing archive succeeded")
	}
}

// TestBackup_PostgresSaysPgDump: on PostgreSQL, backup and restore name
// pg_dump and pg_restore and write nothing.
func TestBackup_PostgresSaysPgDump(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "b.tar.gz")
	pg := "postgres://postgres@127.0.0.1:5432/fleetwatch?sslmode=disable"
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"backup", "--database-url", pg, "--to", archive}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "pg_dump --format=custom") || !strings.Contains(err.Error(), "secret key") {
		t.Errorf("backup on PostgreSQL: %v, want the pg_dump line and the key", err)
	}
	if _, err := os.Stat(archive); err == nil {
		t.Error("backup on PostgreSQL wrote an archive")
	}
	err = run(context.Background(), []string{"restore", "--database-url", pg, "--from", archive}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "pg_restore") {
		t.Errorf("restore on PostgreSQL: %v, want the pg_restore line", err)
	}
}
