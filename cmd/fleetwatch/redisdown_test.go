package main

import (
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/redisx/redistest"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// waitFor polls cond until it holds, failing after a generous bound (it
// bounds a hang; no assertion depends on how long it takes).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readyz returns the status of /readyz and its error message.
func readyz(t *testing.T, m *Main) (int, string) {
	t.Helper()
	status, body := call(t, "GET", m.URL()+"/readyz", "", nil)
	errs, _ := body["errors"].([]any)
	if len(errs) == 0 {
		return status, ""
	}
	msg, _ := errs[0].(map[string]any)["detail"].(string)
	return status, msg
}

// TestMain_RedisDownAtStart: with Redis unreachable, serve listens
// anyway, healthy but not ready, /readyz naming Redis; once Redis answers it
// connects without a restart.
func TestMain_RedisDownAtStart(t *testing.T) {
	// A server of the test's own, without persistence; nothing listens on
	// its port yet.
	r := redistest.NewServer(t)
	cfg := testConfig(t, sqlstoretest.SQLite)
	cfg.RedisURL = r.URL()
	m := startMain(t, cfg)
	if status, _ := call(t, "GET", m.URL()+"/healthz", "", nil); status != 200 {
		t.Errorf("healthz: %d", status)
	}
	if status, msg := readyz(t, m); status != 503 || !strings.Contains(msg, "redis unreachable") {
		t.Errorf("readyz with Redis down: %d %q, want 503 naming redis", status, msg)
	}
	r.Start(t)
	waitFor(t, "readyz to turn 200", func() bool { status, _ := readyz(t, m); return status == 200 })
}

// TestMain_EventsResumeAfterRedisRestarts: Redis killed and started again
// (empty) under a running server: the event subscription comes back by
// itself, and an event published after the restart reaches a client of
// the event stream that stayed connected.
func TestMain_EventsResumeAfterRedisRestarts(t *testing.T) {
	// A server of the test's own, without persistence: killed, it comes
	// back empty.
	r := redistest.StartServer(t)
	cfg := testConfig(t, sqlstoretest.SQLite)
	cfg.RedisURL = r.URL()
	in := newInstallation(t, cfg, 1)
	waitFor(t, "readyz", func() bool { status, _ := readyz(t, in.m); return status == 200 })
	events := openEvents(t, in.m.URL(), in.admin)
	in.pushPatchRun(t, 0, "before")
	if e := nextEvent(t, events); !strings.Contains(e.Data, in.sites[0]) {
		t.Fatalf("before the restart: %+v", e)
	}

	r.Kill()
	waitFor(t, "readyz to say redis is down", func() bool { status, _ := readyz(t, in.m); return status == 503 })
	r.Start(t)
	waitFor(t, "readyz after the restart", func() bool { status, _ := readyz(t, in.m); return status == 200 })
	in.pushPatchRun(t, 0, "after")
	for {
		e := nextEvent(t, events)
		if strings.Contains(e.Data, "patch_run") && e.Event == "patch_run.recorded" {
			if !strings.Contains(e.Data, in.sites[0]) {
				t.Fatalf("after the restart: %+v", e)
			}
			break
		}
	}
}
