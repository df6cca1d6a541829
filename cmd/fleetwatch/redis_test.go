package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/httpapi/ssetest"
	"github.com/fleetwatch/fleetwatch/redisx/redistest"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// sseFrame is one event of GET /api/v1/events, or a comment.
type sseFrame = ssetest.Frame

// openEvents connects to the event stream of a server as the token's
// caller and returns its frames, read in the background, once the server
// says it has subscribed.
func openEvents(t *testing.T, base, token string) <-chan sseFrame {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 {
		res.Body.Close()
		t.Fatalf("event stream: %d", res.StatusCode)
	}
	frames := make(chan sseFrame, 100)
	go ssetest.Read(res.Body, frames)
	if f := nextFrame(t, frames); f.Comment != "connected" {
		t.Fatalf("first frame %+v, want the connected comment", f)
	}
	return frames
}

// nextFrame returns the next frame, failing after a generous wait (the
// wait bounds a hang; no assertion depends on it).
func nextFrame(t *testing.T, frames <-chan sseFrame) sseFrame {
	t.Helper()
	select {
	case f, ok := <-frames:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return f
	case <-time.After(60 * time.Second):
		t.Fatal("no event within a minute")
	}
	return sseFrame{}
}

// nextEvent skips comments (keep-alives) to the next event.
func nextEvent(t *testing.T, frames <-chan sseFrame) sseFrame {
	t.Helper()
	for {
		if f := nextFrame(t, frames); f.Event != "" {
			return f
		}
	}
}

// installation is a served Main with an admin, an organization and sites
// with push keys.
type installation struct {
	m     *Main
	admin string
	sites []string // uuids
	keys  []string
}

// newInstallation serves cfg and creates an admin, an organization and n
// sites, each with a push key.
func newInstallation(t *testing.T, cfg Config, n int) *installation {
	t.Helper()
	in := &installation{m: startMain(t, cfg)}
	if _, err := in.m.Auth.CreateUserFromShell(context.Background(), "Ops", "ops@example.com", "ops-password", "admin", ""); err != nil {
		t.Fatal(err)
	}
	_, body := call(t, "POST", in.m.URL()+"/api/v1/auth/login", "", map[string]string{"email": "ops@example.com", "password": "ops-password"})
	in.admin = body["data"].(map[string]any)["access_token"].(string)
	c := &client{T: t, URL: in.m.URL(), Token: in.admin}
	org := c.Must(201, "POST", "/api/v1/organizations", map[string]any{"name": "Acme"})["id"].(string)
	for i := range n {
		site := c.Must(201, "POST", "/api/v1/sites", map[string]any{"name": "site" + string(rune('a'+i)), "url": "https://" + string(rune('a'+i)) + ".example", "organization_id": org})["id"].(string)
		in.sites = append(in.sites, site)
		in.keys = append(in.keys, c.Must(201, "POST", "/api/v1/sites/"+site+"/api-keys", map[string]any{"name": "push"})["key"].(string))
	}
	return in
}

// pushPatchRun pushes a patch run for site i.
func (in *installation) pushPatchRun(t *testing.T, i int, runID string) {
	t.Helper()
	c := &client{T: t, URL: in.m.URL(), Token: in.keys[i]}
	c.Must(202, "POST", "/api/v1/ingest/patch-runs", map[string]any{"run_id": runID, "status": "succeeded", "changes": []any{}})
}

// TestMain_TwoInstallationsOneRedis runs two installations, each on its own
// database, on one Redis database: their organizations have the same
// internal ids, yet neither is served the other's cached reports nor hears
// the other's live events.
func TestMain_TwoInstallationsOneRedis(t *testing.T) {
	url := redistest.URL(t)
	cfgA, cfgB := testConfig(t, sqlstoretest.SQLite), testConfig(t, sqlstoretest.SQLite)
	cfgA.RedisURL, cfgB.RedisURL = url, url
	a, b := newInstallation(t, cfgA, 2), newInstallation(t, cfgB, 1)
	if a.m.InstallationID == b.m.InstallationID || a.m.InstallationID == "" {
		t.Fatalf("installation ids %q and %q", a.m.InstallationID, b.m.InstallationID)
	}

	summary := func(in *installation) float64 {
		t.Helper()
		c := &client{T: t, URL: in.m.URL(), Token: in.admin}
		return c.Must(200, "GET", "/api/v1/reports/summary", nil)["sites"].(float64)
	}
	if n := summary(a); n != 2 {
		t.Fatalf("installation A: %v sites, want 2", n)
	}
	if n := summary(b); n != 1 {
		t.Errorf("installation B was served %v sites, want its own 1 (A's cached report?)", n)
	}

	// A's event reaches A's stream; B's stream, open all along, hears B's
	// own event first.
	streamA, streamB := openEvents(t, a.m.URL(), a.admin), openEvents(t, b.m.URL(), b.admin)
	a.pushPatchRun(t, 0, "run-a")
	if e := nextEvent(t, streamA); !strings.Contains(e.Data, a.sites[0]) {
		t.Fatalf("A's stream: %+v, want A's patch run", e)
	}
	b.pushPatchRun(t, 0, "run-b")
	if e := nextEvent(t, streamB); !strings.Contains(e.Data, b.sites[0]) {
		t.Errorf("B's stream heard %+v before B's own patch run", e)
	}
}
