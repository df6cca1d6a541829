package main

import (
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/redis/go-redis/v9"
)

// ownRedis is a redis-server this test owns, on a port of its own, without
// persistence: killing it loses its data, as a crash of an unpersisted
// Redis would. The shared Redis is never touched.
type ownRedis struct {
	t    *testing.T
	addr string
	cmd  *exec.Cmd
}

// newOwnRedis picks a free port and starts nothing yet.
func newOwnRedis(t *testing.T) *ownRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	r := &ownRedis{t: t, addr: freeAddr(t)}
	t.Cleanup(r.stop)
	return r
}

func (r *ownRedis) url() string { return "redis://" + r.addr + "/0" }

// start runs redis-server on the port and waits until it answers.
func (r *ownRedis) start() {
	r.t.Helper()
	_, port, _ := net.SplitHostPort(r.addr)
	r.cmd = exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	opts, _ := redis.ParseURL(r.url())
	c := redis.NewClient(opts)
	defer c.Close()
	waitFor(r.t, "redis-server to answer", func() bool { return c.Ping(context.Background()).Err() == nil })
}

// stop kills the server.
func (r *ownRedis) stop() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

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
	r := newOwnRedis(t) // nothing listens on its port yet
	cfg := testConfig(t, sqlstoretest.SQLite)
	cfg.RedisURL = r.url()
	m := startMain(t, cfg)
	if status, _ := call(t, "GET", m.URL()+"/healthz", "", nil); status != 200 {
		t.Errorf("healthz: %d", status)
	}
	if status, msg := readyz(t, m); status != 503 || !strings.Contains(msg, "redis unreachable") {
		t.Errorf("readyz with Redis down: %d %q, want 503 naming redis", status, msg)
	}
	r.start()
	waitFor(t, "readyz to turn 200", func() bool { status, _ := readyz(t, m); return status == 200 })
}

// TestMain_EventsResumeAfterRedisRestarts: Redis killed and started again
// (empty) under a running server: the event subscription comes back by
// itself, and an event published after the restart reaches a client of
// the event stream that stayed connected.
func TestMain_EventsResumeAfterRedisRestarts(t *testing.T) {
	r := newOwnRedis(t)
	r.start()
	cfg := testConfig(t, sqlstoretest.SQLite)
	cfg.RedisURL = r.url()
	in := newInstallation(t, cfg, 1)
	waitFor(t, "readyz", func() bool { status, _ := readyz(t, in.m); return status == 200 })
	events := openEvents(t, in.m.URL(), in.admin)
	in.pushPatchRun(t, 0, "before")
	if e := nextEvent(t, events); !strings.Contains(e.Data, in.sites[0]) {
		t.Fatalf("before the restart: %+v", e)
	}

	r.stop()
	waitFor(t, "readyz to say redis is down", func() bool { status, _ := readyz(t, in.m); return status == 503 })
	r.start()
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
