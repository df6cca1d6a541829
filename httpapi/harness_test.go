package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/drupalorg"
	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// env is a running API on one backend, with a signed-in platform admin.
type env struct {
	t      *testing.T
	store  *sqlstore.Store
	svc    *service.Services
	auth   *service.Auth
	srv    *httptest.Server
	admin  string // access token
	client *http.Client
	clock  *testClock
	// lastRefresh is the refresh token of the newest login.
	lastRefresh string
	logger      *slog.Logger
	analysis    *service.Analysis
	// mirror is the local folder the release feeds are read from:
	// {project}/current.
	mirror string
}

// testClock is a clock the tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const testPassword = "correct horse battery"

// forEachBackend runs fn against an API on SQLite and on PostgreSQL.
func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	sqlstoretest.ForEach(t, func(t *testing.T, store *sqlstore.Store) {
		fn(t, newEnv(t, store))
	})
}

// newEnv starts an API with every service, so that every route exists (the
// isolation test walks them all), over an empty local feed mirror: no test
// reaches the internet.
// Options change the server's configuration before it starts.
func newEnv(t *testing.T, store *sqlstore.Store, options ...func(*httpapi.Config)) *env {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := &testClock{now: time.Now()}
	mirror := t.TempDir()
	fetcher, err := drupalorg.New(drupalorg.Config{FeedURL: "file://" + mirror, AdvisoryURL: "file://" + mirror, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(nil)
	// Reports are cached as in production, so tests see stale answers if
	// an invalidation is missing.
	svc, err := service.New(service.Deps{
		Store: store, Secret: []byte("test-secret-key-test-secret-key-0123456789"), BcryptCost: 4,
		Bus: memory.NewEventBus(100), Waker: memory.NewWaker(), Fetcher: fetcher,
		Cache: memory.NewCache(1000), PublicURL: srv.URL, Logger: logger, Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	// Streams end after a moment, so that walking GET /events returns.
	svc.Events.MaxStream = 20 * time.Millisecond
	svc.Worker.BatchSize = 50
	t.Cleanup(svc.Ingest.Close)
	t.Cleanup(svc.Events.Close)
	cfg := httpapi.Config{
		Logger: logger, PublicURL: srv.URL, Version: "test", Services: svc,
		Ready: map[string]func(context.Context) error{"database": store.Ping},
	}
	for _, o := range options {
		o(&cfg)
	}
	srv.Config.Handler = httpapi.New(cfg)
	t.Cleanup(srv.Close)
	e := &env{t: t, store: store, svc: svc, auth: svc.Auth, srv: srv, client: srv.Client(), clock: clock, logger: logger, analysis: svc.Analysis, mirror: mirror}
	if _, err := svc.Auth.CreateUserFromShell(context.Background(), "Root", "root@example.com", testPassword, "admin", ""); err != nil {
		t.Fatal(err)
	}
	e.admin = e.login("root@example.com", testPassword)
	return e
}

// response is a decoded answer.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    string
}

func (r *response) data() map[string]any {
	d, _ := r.Body["data"].(map[string]any)
	return d
}

func (r *response) list() []any {
	d, _ := r.Body["data"].([]any)
	return d
}

// errs returns the error objects of an error answer.
func (r *response) errs() []map[string]any {
	var out []map[string]any
	list, _ := r.Body["errors"].([]any)
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

// do sends a request with an optional JSON body (a string is sent as is).
func (e *env) do(method, path, token string, body any, header ...string) *response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := &response{Status: res.StatusCode, Header: res.Header, Raw: string(raw)}
	if len(raw) > 0 && strings.Contains(res.Header.Get("Content-Type"), "json") {
		if err := json.Unmarshal(raw, &out.Body); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return out
}

// must sends a request and fails the test unless the status is want.
func (e *env) must(want int, method, path, token string, body any, header ...string) *response {
	e.t.Helper()
	r := e.do(method, path, token, body, header...)
	if r.Status != want {
		e.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.Status, want, r.Raw)
	}
	return r
}

func (e *env) login(email, password string) string {
	e.t.Helper()
	r := e.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	tok, _ := r.data()["access_token"].(string)
	if e.lastRefresh, _ = r.data()["refresh_token"].(string); e.lastRefresh == "" && tok != "" {
		e.t.Fatalf("login answered no refresh token: %s", r.Raw)
	}
	if tok == "" {
		e.t.Fatalf("login answered no token: %s", r.Raw)
	}
	return tok
}

// createOrg creates an organization as the admin and returns its id.
func (e *env) createOrg(name string) string {
	e.t.Helper()
	return e.must(201, "POST", "/api/v1/organizations", e.admin, map[string]any{"name": name}).data()["id"].(string)
}

// createUser creates a user as the admin and returns a token for them.
func (e *env) createUser(email, role, orgID string) string {
	e.t.Helper()
	body := map[string]any{"name": email, "email": email, "password": testPassword, "role": role}
	if orgID != "" {
		body["organization_id"] = orgID
	}
	e.must(201, "POST", "/api/v1/users", e.admin, body)
	return e.login(email, testPassword)
}

// assertErrorShape checks an answer is an error in the API's shape.
func assertErrorShape(t *testing.T, r *response, status int, code string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	errs := r.errs()
	if len(errs) == 0 {
		t.Fatalf("no errors in answer: %s", r.Raw)
	}
	for _, e := range errs {
		if e["status"] != itoa(status) {
			t.Errorf("error status %v, want %d", e["status"], status)
		}
		if code != "" && e["code"] != code {
			t.Errorf("error code %v, want %s: %s", e["code"], code, r.Raw)
		}
		if s, _ := e["title"].(string); s == "" {
			t.Errorf("error without title: %s", r.Raw)
		}
		if s, _ := e["detail"].(string); s == "" {
			t.Errorf("error without detail: %s", r.Raw)
		}
	}
	meta, _ := r.Body["meta"].(map[string]any)
	if id, _ := meta["request_id"].(string); id == "" || id != r.Header.Get("X-Request-ID") {
		t.Errorf("meta.request_id %q does not match X-Request-ID %q", id, r.Header.Get("X-Request-ID"))
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
