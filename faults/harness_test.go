//go:build faults

package faults

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/httpapi/ssetest"
	"github.com/fleetwatch/fleetwatch/internal/e2etest"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// bin is the fleetwatch binary, built once by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fleetwatch-faults-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "fleetwatch")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/fleetwatch").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// loadDuration is how long each test pushes: FAULTS_LOAD, default 20s.
func loadDuration(t *testing.T) time.Duration {
	t.Helper()
	if v := os.Getenv("FAULTS_LOAD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 5*time.Second {
			t.Fatalf("FAULTS_LOAD=%q: want a duration of at least 5s", v)
		}
		return d
	}
	return 20 * time.Second
}

// offlineMirror keeps every test off the internet: feeds and advisories
// come from an empty local mirror.
var offlineMirror = "file://" + os.TempDir() + "/fleetwatch-no-feeds"

func serveEnv(dbURL string, extra ...string) []string {
	return append(append(os.Environ(),
		"FLEETWATCH_DATABASE_URL="+dbURL,
		"FLEETWATCH_SECRET_KEY=faults-secret-key-faults-secret-key-0123456789",
		"FLEETWATCH_BCRYPT_COST=4",
		"FLEETWATCH_LOG_LEVEL=warn",
		"FLEETWATCH_RELEASE_FEED_URL="+offlineMirror,
		"FLEETWATCH_ADVISORY_URL="+offlineMirror,
		// A claim whose replica died or whose database went away is
		// taken back within seconds.
		"FLEETWATCH_INGEST_STUCK_AFTER=5s",
	), extra...)
}

// server is a running `fleetwatch serve`.
type server = e2etest.Server

// startServe starts a server and waits until it answers /healthz.
func startServe(t *testing.T, dbURL string, extra ...string) *server {
	t.Helper()
	return e2etest.Serve(t, bin, serveEnv(dbURL, extra...))
}

// api is one caller of a server.
type api = e2etest.Client

// fleet is an organization with sites, each with a push key.
type fleet struct {
	admin *api
	sites []string // site ids
	keys  []string // their keys
}

// newFleet creates the first admin (with the CLI, on dbURL), signs in at
// url and creates an organization with n sites and their keys.
func newFleet(t *testing.T, dbURL, url string, n int) *fleet {
	t.Helper()
	cmd := exec.Command(bin, "users", "create", "--email", "root@example.com", "--password", "correct horse battery", "--role", "admin")
	cmd.Env = serveEnv(dbURL)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("users create: %v\n%s", err, out)
	}
	f := &fleet{admin: &api{T: t, URL: url}}
	signIn(f.admin)
	org := f.admin.Must(201, "POST", "/api/v1/organizations", map[string]any{"name": "Acme"})["id"].(string)
	for i := range n {
		site := f.admin.Must(201, "POST", "/api/v1/sites", map[string]any{"name": fmt.Sprint("site-", i),
			"url": fmt.Sprintf("https://site-%d.example", i), "organization_id": org})["id"].(string)
		f.sites = append(f.sites, site)
		f.keys = append(f.keys, f.admin.Must(201, "POST", "/api/v1/sites/"+site+"/api-keys", map[string]any{"name": "push"})["key"].(string))
	}
	return f
}

// signIn signs c in as the first admin.
func signIn(c *api) {
	c.T.Helper()
	c.Token = c.Must(200, "POST", "/api/v1/auth/login", map[string]any{"email": "root@example.com", "password": "correct horse battery"})["access_token"].(string)
}

// inventory is site push i: each names another version of token, newer
// with i.
func inventory(site, i int) map[string]any {
	return map[string]any{
		"snapshot_id":  fmt.Sprintf("snap-%d-%d", site, i),
		"collected_at": time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second).Format(time.RFC3339),
		"drupal":       map[string]any{"core_version": "10.3.6"},
		"modules": []any{
			map[string]any{"name": "drupal", "type": "core", "version": "10.3.6"},
			map[string]any{"name": "token", "version": fmt.Sprintf("8.x-1.%d", i)},
		},
	}
}

func patchRun(site, i int) map[string]any {
	return map[string]any{"run_id": fmt.Sprintf("run-%d-%d", site, i), "status": "succeeded", "changes": []any{}}
}

// answer is what one push got.
type answer struct {
	status     int
	retryAfter string
	code       string
	err        error // transport
}

// load pushes, one goroutine per site, inventories and patch runs in turn,
// as an agent does: each payload again, with the same id, until it is
// accepted (after an error answer or a broken connection, to the next
// server). It records what was accepted and every answer that was not 202.
type load struct {
	t       *testing.T
	f       *fleet
	servers []string
	// allowed are the statuses besides 202 that an outage may answer
	// (each with Retry-After).
	allowed map[int]bool
	// retry is how long a pusher waits before it tries again: shorter
	// than Retry-After asks, to keep the test short.
	retry time.Duration
	// pause is how long a pusher waits after an accepted push, so that
	// the load leaves the workers some of the machine.
	pause time.Duration

	mu        sync.Mutex
	accepted  map[string]bool // client ids answered 202
	newest    map[int]int     // site → its newest accepted inventory
	counts    map[int]int     // answers by status; 0 for a broken connection
	bad       []string        // answers no outage explains
	unsettled []string        // payloads still not accepted when the load ended

	stop chan struct{}
	wg   sync.WaitGroup
}

func startLoad(t *testing.T, f *fleet, servers []string, allowed ...int) *load {
	l := &load{t: t, f: f, servers: servers, allowed: map[int]bool{}, retry: 300 * time.Millisecond, pause: 20 * time.Millisecond,
		accepted: map[string]bool{}, newest: map[int]int{}, counts: map[int]int{}, stop: make(chan struct{})}
	for _, s := range allowed {
		l.allowed[s] = true
	}
	for site := range f.keys {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			l.pusher(site)
		}()
	}
	return l
}

// client has short timeouts: a server that stopped answering is left for
// the next.
var client = &http.Client{Timeout: 20 * time.Second}

func (l *load) push(server, key, path string, body any) answer {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", server+"/api/v1/ingest"+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer res.Body.Close()
	var out struct {
		Errors []struct {
			Code string `json:"code"`
		} `json:"errors"`
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	a := answer{status: res.StatusCode, retryAfter: res.Header.Get("Retry-After")}
	if len(out.Errors) > 0 {
		a.code = out.Errors[0].Code
	}
	return a
}

func (l *load) pusher(site int) {
	server := site % len(l.servers)
	for i := 0; ; i++ {
		select {
		case <-l.stop:
			return
		default:
		}
		path, body, id := "/inventory", any(inventory(site, i)), fmt.Sprintf("snap-%d-%d", site, i)
		if i%2 == 1 {
			path, body, id = "/patch-runs", any(patchRun(site, i)), fmt.Sprintf("run-%d-%d", site, i)
		}
		// A stopped load still settles the payload in hand, for a while.
		var giveUp <-chan time.Time
		for {
			a := l.push(l.servers[server], l.f.keys[site], path, body)
			l.mu.Lock()
			l.counts[a.status]++
			switch {
			case a.status == http.StatusAccepted:
				l.accepted[id] = true
				if path == "/inventory" {
					l.newest[site] = max(l.newest[site], i)
				}
			case a.err != nil:
			case !l.allowed[a.status]:
				l.bad = append(l.bad, fmt.Sprintf("%s: %d %s", id, a.status, a.code))
			case a.retryAfter == "" || a.code == "":
				l.bad = append(l.bad, fmt.Sprintf("%s: %d %q without Retry-After or code", id, a.status, a.code))
			}
			l.mu.Unlock()
			if a.status == http.StatusAccepted {
				time.Sleep(l.pause)
				break
			}
			if a.err != nil || a.status >= 500 {
				server = (server + 1) % len(l.servers)
			}
			if giveUp == nil {
				select {
				case <-l.stop:
					giveUp = time.After(60 * time.Second)
				default:
				}
			}
			select {
			case <-giveUp:
				l.mu.Lock()
				l.unsettled = append(l.unsettled, id)
				l.mu.Unlock()
				return
			case <-time.After(l.retry):
			}
		}
	}
}

// end stops the load once each pusher settled its payload in hand.
func (l *load) end() {
	close(l.stop)
	l.wg.Wait()
	l.t.Logf("answers by status (0: broken connection): %v; %d accepted", l.counts, len(l.accepted))
	for _, b := range l.bad {
		l.t.Errorf("unexplained answer: %s", b)
	}
	if len(l.unsettled) > 0 {
		l.t.Errorf("payloads never accepted: %v", l.unsettled)
	}
}

// during returns how many answers of status came during fn.
func (l *load) during(status int, fn func()) int {
	l.mu.Lock()
	before := l.counts[status]
	l.mu.Unlock()
	fn()
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.counts[status] - before
}

// openDB opens the database of a fleetwatch URL directly.
func openDB(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", dbURL
	if p, ok := strings.CutPrefix(dbURL, "sqlite://"); ok {
		driver, dsn = "sqlite", p
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// settle waits until no payload is queued or being applied.
func settle(t *testing.T, db *sql.DB) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var n int
		err := db.QueryRow(`SELECT count(*) FROM audit_logs WHERE status IN ('queued', 'processing')`).Scan(&n)
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("payloads still waiting after 3 minutes: %d (%v)", n, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// checkExactlyOnce checks that the pushes stored are those accepted, each
// applied once: processed, a patch run recorded once for each run and none
// else, and each site running the token of its newest accepted inventory.
func (l *load) checkExactlyOnce(db *sql.DB) {
	t := l.t
	t.Helper()
	settle(t, db)
	rows, err := db.Query(`SELECT a.client_id, a.kind, a.status, a.error,
		(SELECT count(*) FROM patch_runs p WHERE p.audit_log_id = a.id) FROM audit_logs a`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	stored := map[string]bool{}
	for rows.Next() {
		var id, kind, status, msg string
		var runs int
		if err := rows.Scan(&id, &kind, &status, &msg, &runs); err != nil {
			t.Fatal(err)
		}
		// Stored as snapshot:<snapshot_id> or run:<run_id>.
		if _, after, ok := strings.Cut(id, ":"); ok {
			id = after
		}
		stored[id] = true
		switch {
		case !l.accepted[id]:
			t.Errorf("%s is stored (%s) but was never answered 202", id, status)
		case status != "processed":
			t.Errorf("%s was accepted but is %s: %s", id, status, msg)
		case kind == "patch_run" && runs != 1:
			t.Errorf("patch run %s was recorded %d times", id, runs)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range l.accepted {
		if !stored[id] {
			t.Errorf("%s was answered 202 and is lost", id)
		}
	}
	var runs, accRuns int
	if err := db.QueryRow(`SELECT count(*) FROM patch_runs`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	for id := range l.accepted {
		if strings.HasPrefix(id, "run-") {
			accRuns++
		}
	}
	if runs != accRuns {
		t.Errorf("%d patch runs recorded, %d accepted", runs, accRuns)
	}
	for site, id := range l.f.sites {
		newest, ok := l.newest[site]
		if !ok {
			continue
		}
		mods := l.f.admin.Must(200, "GET", "/api/v1/sites/"+id+"/modules?q=token", nil)["data"].([]any)
		if len(mods) != 1 || mods[0].(map[string]any)["version"] != "8.x-1."+strconv.Itoa(newest) {
			t.Errorf("site %d runs token %v, want its newest accepted inventory's 8.x-1.%d", site, mods, newest)
		}
	}
}

// sseEvent is one event of a stream.
type sseEvent struct{ id, typ, data string }

// sse reads an event stream into a channel until it ends.
func sse(ctx context.Context, t *testing.T, url, token, lastEventID string) (<-chan sseEvent, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != 200 {
		res.Body.Close()
		return nil, fmt.Errorf("event stream: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
	}
	frames := make(chan ssetest.Frame, 4096)
	go ssetest.Read(res.Body, frames)
	out := make(chan sseEvent, 4096)
	go func() {
		defer close(out)
		for f := range frames {
			switch {
			case f.ID != "":
				out <- sseEvent{id: f.ID, typ: f.Event, data: f.Data}
			case strings.HasPrefix(f.Comment, "some events"):
				// The server says events since Last-Event-ID are lost.
				out <- sseEvent{typ: "incomplete"}
			}
		}
	}()
	return out, nil
}
