// Package e2etest runs `fleetwatch serve` and drives it over HTTP, as its
// users and sites do, for the tests that run the real binary (cmd/fleetwatch
// and the fault-injection tests in faults).
package e2etest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Server is a running `fleetwatch serve`.
type Server struct {
	Cmd    *exec.Cmd
	URL    string        // its base URL
	Stderr *LockedBuffer // its log
	Done   chan struct{} // closed when it exited, with Err set
	Err    error
}

// Serve runs `bin serve` on a free port with the environment env and waits
// until it answers /healthz, failing the test when it exits first. When the
// test ends the server gets SIGTERM (SIGKILL when it has not exited 30 s
// later), and its log is logged if the test failed.
func Serve(tb testing.TB, bin string, env []string) *Server {
	tb.Helper()
	addr := FreeAddr(tb)
	cmd := exec.Command(bin, "serve", "--addr", addr)
	cmd.Env = env
	s := &Server{Cmd: cmd, URL: "http://" + addr, Stderr: &LockedBuffer{}, Done: make(chan struct{})}
	cmd.Stderr = s.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { s.Err = cmd.Wait(); close(s.Done) }()
	tb.Cleanup(func() {
		_ = s.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.Done:
		case <-time.After(30 * time.Second):
			_ = s.Cmd.Process.Kill()
			<-s.Done
		}
		if tb.Failed() {
			tb.Logf("log of the server at %s:\n%s", s.URL, tail(s.Stderr.String(), 4000))
		}
	})
	// The bound only ends a hang; no assertion depends on it.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-s.Done:
			tb.Fatalf("fleetwatch serve exited (%v):\n%s", s.Err, s.Stderr)
		default:
		}
		if res, err := http.Get(s.URL + "/healthz"); err == nil {
			res.Body.Close()
			return s
		}
	}
	tb.Fatalf("fleetwatch serve did not come up:\n%s", s.Stderr)
	return nil
}

// Kill SIGKILLs the server and waits until it is gone.
func (s *Server) Kill(tb testing.TB) {
	tb.Helper()
	if err := s.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatal(err)
	}
	<-s.Done
}

// LockedBuffer is a buffer a process writes while a test reads it.
type LockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tail is the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// Client is one caller of a server's API: a signed-in user, a site with
// its push key, or no one.
type Client struct {
	T     testing.TB
	URL   string // the server's base URL
	Token string // bearer token or API key; none when empty
}

// Call sends body as JSON and returns the status and the decoded answer
// (nil when it is not a JSON object). Only a failed connection fails the
// test.
func (c *Client) Call(method, path string, body any) (int, map[string]any) {
	c.T.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// Must calls, fails the test unless the answer has the status want, and
// returns the answer's data object, or the whole answer when it has none.
func (c *Client) Must(want int, method, path string, body any) map[string]any {
	c.T.Helper()
	status, out := c.Call(method, path, body)
	if status != want {
		c.T.Fatalf("%s %s: %d, want %d: %v", method, path, status, want, out)
	}
	if d, ok := out["data"].(map[string]any); ok {
		return d
	}
	return out
}

// FreeAddr returns a local address nothing listens on, for a server to
// listen on.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
