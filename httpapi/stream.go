package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// An event stream costs little while it waits: once its headers are sent,
// the connection is taken from net/http (which frees the request, its
// buffers and its goroutines) and served by one small goroutine that sleeps
// on the subscription and on a heartbeat shared by every stream. Events are
// encoded once for all the streams that send them. Where the connection
// cannot be taken (HTTP/2), the stream is served in its handler as before.

// streamWriteTimeout bounds one write to a taken connection: a client that
// does not read for this long is dropped (it reconnects with Last-Event-ID).
const streamWriteTimeout = 30 * time.Second

// streamEvents writes the subscription's events as SSE until the client
// leaves, the stream's time is up, or the client is dropped for lagging.
func (s *Server) streamEvents(hctx huma.Context, sub *service.Subscription) {
	st := &eventStream{s: s, sub: sub, actor: fleetwatch.ActorFromContext(hctx.Context())}
	hctx.SetHeader("Content-Type", "text/event-stream")
	hctx.SetHeader("Cache-Control", "no-cache")
	hctx.SetHeader("X-Accel-Buffering", "no") // nginx: do not buffer
	w := hctx.BodyWriter()
	if rw, ok := w.(http.ResponseWriter); ok && hctx.Version().ProtoMajor == 1 {
		// The body runs until the connection closes (no chunking), as the
		// SSE specification recommends, so a taken connection needs no
		// framing.
		hctx.SetHeader("Transfer-Encoding", "identity")
		hctx.SetStatus(http.StatusOK)
		rc := http.NewResponseController(rw)
		if err := rc.Flush(); err != nil {
			sub.Close()
			return
		}
		conn, brw, err := rc.Hijack()
		if err == nil {
			if brw.Writer.Buffered() > 0 {
				_ = conn.Close()
				sub.Close()
				return
			}
			st.conn = conn
			go st.run(context.Background())
			return
		}
		st.w, st.flush = w, rc.Flush
	} else {
		hctx.SetStatus(http.StatusOK)
		st.w, st.flush = w, func() error {
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			return nil
		}
	}
	st.run(hctx.Context())
}

// eventStream is one client's stream.
type eventStream struct {
	s     *Server
	sub   *service.Subscription
	actor *fleetwatch.Actor
	conn  net.Conn // a taken connection, or:
	w     io.Writer
	flush func() error
	wrote bool // since the last heartbeat
}

func (st *eventStream) write(b []byte) bool {
	st.wrote = true
	if st.conn != nil {
		_ = st.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		_, err := st.conn.Write(b)
		return err == nil
	}
	_, err := st.w.Write(b)
	return err == nil && st.flush() == nil
}

func (st *eventStream) run(ctx context.Context) {
	s, sub := st.s, st.sub
	defer sub.Close()
	if st.conn != nil {
		defer st.conn.Close()
	}
	hello := "retry: 3000\n: connected\n\n"
	if !sub.Complete {
		hello = "retry: 3000\n: some events since Last-Event-ID are no longer kept; reload state from the API\n\n"
	}
	if !st.write([]byte(hello)) {
		return
	}
	var end <-chan time.Time
	if s.Events.MaxStream > 0 {
		t := time.NewTimer(s.Events.MaxStream)
		defer t.Stop()
		end = t.C
	}
	hb := s.heartbeat()
	hb.join()
	defer hb.leave()
	beat := hb.wait()
	st.wrote = false
	for {
		for {
			e, err := sub.TryNext()
			if errors.Is(err, service.ErrSlowClient) {
				_ = st.write([]byte(": too slow; reconnect with Last-Event-ID\n\n"))
				return
			} else if err != nil {
				return // closed: the server stops
			}
			if e == nil {
				break
			}
			frame, err := s.eventFrame(e)
			if err != nil {
				s.logger.Error("encode event", "id", e.ID, "err", err)
				continue
			}
			if !st.write(frame) {
				return
			}
		}
		select {
		case <-sub.Ready():
		case <-sub.Done():
		case <-beat:
			beat = hb.wait()
			// A logout, a revoked key or a deactivated user ends the stream
			// within one heartbeat.
			if ok, err := s.stillValid(ctx, st.actor); err == nil && !ok {
				_ = st.write([]byte(": credentials revoked\n\n"))
				return
			}
			// Busy streams need no heartbeat, but a write is also how a
			// taken connection learns that its client left.
			if !st.wrote || st.conn != nil {
				if !st.write([]byte(": heartbeat\n\n")) {
					return
				}
			}
			st.wrote = false
		case <-end:
			return
		case <-ctx.Done():
			return
		}
	}
}

// eventFrame returns the SSE frame of an event, encoded once for every
// stream that sends it (they all receive the same *Event).
func (s *Server) eventFrame(e *fleetwatch.Event) ([]byte, error) {
	if f := s.lastFrame.Load(); f != nil && f.event == e {
		return f.frame, nil
	}
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	frame := make([]byte, 0, len(data)+len(e.ID)+len(e.Type)+32)
	frame = append(frame, "id: "...)
	frame = append(frame, e.ID...)
	frame = append(frame, "\nevent: "...)
	frame = append(frame, e.Type...)
	frame = append(frame, "\ndata: "...)
	frame = append(frame, data...)
	frame = append(frame, "\n\n"...)
	s.lastFrame.Store(&encodedEvent{event: e, frame: frame})
	return frame, nil
}

type encodedEvent struct {
	event *fleetwatch.Event
	frame []byte
}

// stillValid is Auth.StillValid for the streams' heartbeats, asked once
// per credential and heartbeat however many streams share the credential.
// The database is asked from a short-lived goroutine, a few at a time, so
// that the streams' own goroutines keep small stacks and the checks of
// 10,000 streams do not all hit the database at once.
func (s *Server) stillValid(ctx context.Context, a *fleetwatch.Actor) (bool, error) {
	hb := s.heartbeat()
	key := strconv.FormatInt(a.SessionID, 10) + ":" + strconv.FormatInt(a.APIKeyID, 10) + ":" +
		strconv.FormatInt(a.UserID, 10) + ":" + strconv.FormatInt(a.OrganizationID, 10) + ":" + a.Role
	hb.mu.Lock()
	c, ok := hb.checks[key]
	if !ok {
		c = &validity{done: make(chan struct{})}
		hb.checks[key] = c
	}
	hb.mu.Unlock()
	if !ok {
		// Wait for a turn here, so that at most four checkers exist.
		hb.checking <- struct{}{}
		go func() {
			defer func() { <-hb.checking }()
			// Bounded, and not ended by the first asker's client leaving:
			// the answer is shared, and streams on taken connections have
			// no request context to end a stalled database call.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), credentialCheckTimeout)
			defer cancel()
			c.ok, c.err = s.Auth.StillValid(cctx, a)
			close(c.done)
		}()
	}
	<-c.done
	return c.ok, c.err
}

// credentialCheckTimeout bounds a heartbeat's credential check.
const credentialCheckTimeout = 10 * time.Second

type validity struct {
	done chan struct{}
	ok   bool
	err  error
}

// heartbeat is the clock of every stream: wait returns a channel that is
// closed at the next beat. The answers of credential checks are shared
// within a beat. Its ticker runs while streams are open.
type heartbeat struct {
	interval time.Duration
	checking chan struct{} // a semaphore of credential checks

	mu      sync.Mutex
	next    chan struct{}
	checks  map[string]*validity
	streams int
	ticking bool
}

// join counts a stream in and starts the ticker if it stopped.
func (h *heartbeat) join() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.streams++
	if !h.ticking {
		h.ticking = true
		go h.tick()
	}
}

func (h *heartbeat) leave() {
	h.mu.Lock()
	h.streams--
	h.mu.Unlock()
}

func (h *heartbeat) wait() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.next
}

func (h *heartbeat) tick() {
	t := time.NewTicker(h.interval)
	defer t.Stop()
	for range t.C {
		h.mu.Lock()
		close(h.next)
		h.next = make(chan struct{})
		h.checks = map[string]*validity{}
		if h.streams == 0 {
			h.ticking = false
			h.mu.Unlock()
			return
		}
		h.mu.Unlock()
	}
}

// heartbeat returns the server's heartbeat.
func (s *Server) heartbeat() *heartbeat {
	s.heartbeatOnce.Do(func() {
		interval := s.Events.Heartbeat
		if interval <= 0 {
			interval = HeartbeatInterval
		}
		s.hb.Store(&heartbeat{interval: interval, checking: make(chan struct{}, 4),
			next: make(chan struct{}), checks: map[string]*validity{}})
	})
	return s.hb.Load()
}
