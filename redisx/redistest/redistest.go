// Package redistest gives tests of any package a Redis: the shared test
// server, or a redis-server of the test's own that it may kill and start
// again.
//
// The shared server is reached at FLEETWATCH_TEST_REDIS_URL, by default
// redis://127.0.0.1:6379/0. Tests only add keys of their own to it; they
// never flush or restart it. When it does not answer, and when
// redis-server is not on the PATH for a server of the test's own, tests
// skip with a message, except under CI=true, where they fail.
package redistest

import (
	"context"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultURL is the shared server the tests use when
// FLEETWATCH_TEST_REDIS_URL is not set.
const DefaultURL = "redis://127.0.0.1:6379/0"

// URL returns the URL of the shared test server, skipping the test when it
// does not answer (failing under CI=true).
func URL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("FLEETWATCH_TEST_REDIS_URL")
	if url == "" {
		url = DefaultURL
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatalf("FLEETWATCH_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		unavailable(tb, "Redis is not reachable at "+url+" (set FLEETWATCH_TEST_REDIS_URL): "+err.Error())
	}
	return url
}

// Options returns the client options of the shared test server, as URL
// does, for a test that sets more of them.
func Options(tb testing.TB) *redis.Options {
	tb.Helper()
	opts, err := redis.ParseURL(URL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return opts
}

// Client returns a client of the shared test server, as URL does, closed
// when the test ends.
func Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(Options(tb))
	tb.Cleanup(func() { c.Close() })
	return c
}

// Server is a redis-server of the test's own, on a port of its own,
// without persistence: killed, it comes back empty, as a crashed Redis
// without persistence does. The shared server is never touched.
type Server struct {
	Addr string // 127.0.0.1:port
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd exited
}

// NewServer picks a free port for a server and starts nothing yet; the
// server is killed when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(tb, "redis-server is not on the PATH")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String()}
	ln.Close()
	tb.Cleanup(s.Kill)
	return s
}

// StartServer starts a server on a free port, as NewServer and Start do.
func StartServer(tb testing.TB) *Server {
	tb.Helper()
	s := NewServer(tb)
	s.Start(tb)
	return s
}

// URL is the server's URL, database 0.
func (s *Server) URL() string { return "redis://" + s.Addr + "/0" }

// Start runs redis-server on the server's port and waits until it answers.
func (s *Server) Start(tb testing.TB) {
	tb.Helper()
	_, port, _ := net.SplitHostPort(s.Addr)
	s.cmd = exec.Command("redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := s.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.done)
	c := redis.NewClient(&redis.Options{Addr: s.Addr})
	defer c.Close()
	// The bound only ends a hang; no assertion depends on it.
	for deadline := time.Now().Add(60 * time.Second); c.Ping(context.Background()).Err() != nil; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			tb.Fatal("redis-server did not come up")
		}
	}
}

// Kill SIGKILLs the server, if it runs, and waits until it is gone.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
	s.cmd = nil
}

// unavailable skips the test with msg, or fails it under CI=true.
func unavailable(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(msg)
	}
	tb.Skip(msg)
}
