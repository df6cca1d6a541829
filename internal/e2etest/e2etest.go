// Package e2etest drives a running fleetwatch over HTTP, as its users and
// sites do, for the tests that run the real binary (cmd/fleetwatch and the
// fault-injection tests in faults).
package e2etest

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"testing"
)

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
