//go:build faults

package faults

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// proxy is a TCP proxy the test owns in front of PostgreSQL. While it is
// down it drops every connection it holds and closes each new one at once,
// as a PostgreSQL restarting does.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut(true) })
	go p.accept()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.serve(c)
	}
}

func (p *proxy) serve(c net.Conn) {
	p.mu.Lock()
	if p.down {
		p.mu.Unlock()
		c.Close()
		return
	}
	p.conns[c] = true
	p.mu.Unlock()
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[up] = true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(up, c); up.Close(); c.Close() }()
	_, _ = io.Copy(c, up)
	up.Close()
	c.Close()
}

// drop closes the connections the proxy holds and goes on accepting new
// ones: a PostgreSQL restarting in an instant.
func (p *proxy) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// cut takes the proxy down (dropping what it holds) or brings it back up.
func (p *proxy) cut(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
		clear(p.conns)
	}
}

// TestFaults_PostgresDown: PostgreSQL goes away for a quarter of the load
// and comes back, then restarts in an instant again and again (every
// connection dropped, new ones accepted) for another quarter. Meanwhile
// pushes are answered 503 with Retry-After — never 202 for a payload that
// is then lost, never a 500 — and a payload whose application lost its
// connection goes back to the queue; afterwards every accepted push is
// applied exactly once.
func TestFaults_PostgresDown(t *testing.T) {
	direct := sqlstoretest.NewDatabaseURL(t, sqlstoretest.Postgres)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, u.Host)
	u.Host = px.addr()
	s := startServe(t, u.String())
	f := newFleet(t, direct, s.URL, 4)
	d := loadDuration(t)
	l := startLoad(t, f, []string{s.URL}, http.StatusServiceUnavailable)
	time.Sleep(d / 4)
	unavailable := l.during(http.StatusServiceUnavailable, func() {
		px.cut(true)
		time.Sleep(d / 4)
		px.cut(false)
	})
	for end := time.Now().Add(d / 4); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		px.drop()
	}
	time.Sleep(d / 4)
	l.end()
	if unavailable == 0 {
		t.Errorf("no push was answered 503 while PostgreSQL was down")
	}
	t.Logf("%d pushes answered 503 while PostgreSQL was down", unavailable)
	if status, _ := (&api{T: t, URL: s.URL}).Call("GET", "/readyz", nil); status != 200 {
		t.Errorf("readyz after PostgreSQL came back: %d", status)
	}
	l.checkExactlyOnce(openDB(t, direct))
}
