package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/httpapi/ssetest"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/redisx/redistest"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// eventServer is a server of the env's database with its own Events, whose
// streams last: a replica.
type eventServer struct {
	url    string
	events *service.Events
}

func newEventServer(t *testing.T, e *env, bus fleetwatch.EventBus) *eventServer {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	ev := service.NewEvents(bus, e.store, logger)
	ev.Heartbeat = 20 * time.Millisecond
	srv := httptest.NewServer(nil)
	srv.Config.Handler = httpapi.New(httpapi.Config{Logger: logger, PublicURL: srv.URL, Version: "test", Services: &service.Services{Auth: e.auth, Events: ev}})
	t.Cleanup(func() {
		ev.Close() // ends the streams, so that Close does not wait for them
		srv.Close()
	})
	return &eventServer{url: srv.URL, events: ev}
}

// frame is one message of an event stream.
type frame = ssetest.Frame

// stream is an open event stream.
type stream struct {
	t      *testing.T
	status int
	frames chan frame
	cancel context.CancelFunc
}

// openStream connects to GET /api/v1/events with the token (or none) and
// extra headers, and reads its frames in the background.
func openStream(t *testing.T, url, token string, header ...string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &stream{t: t, status: res.StatusCode, frames: make(chan frame, 100), cancel: cancel}
	t.Cleanup(s.close)
	if res.StatusCode != 200 {
		res.Body.Close()
		close(s.frames)
		return s
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	go ssetest.Read(res.Body, s.frames)
	return s
}

func (s *stream) close() { s.cancel() }

// next returns the next frame that is an event, skipping comments unless
// comments is set.
func (s *stream) next(comments bool) frame {
	s.t.Helper()
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.t.Fatal("the stream ended")
			}
			if f.Comment != "" && !comments {
				continue
			}
			return f
		case <-time.After(5 * time.Second):
			s.t.Fatal("no event within 5 s")
		}
	}
}

// connected waits for the stream's first comment: the server has
// subscribed.
func (s *stream) connected() *stream {
	s.t.Helper()
	if f := s.next(true); f.Comment != "connected" {
		s.t.Fatalf("first frame %+v, want the connected comment", f)
	}
	return s
}

// orgID returns the internal id of an organization.
func (e *env) orgID(uuid string) int64 {
	e.t.Helper()
	o, err := e.store.FindOrganizationByUUID(context.Background(), uuid)
	if err != nil {
		e.t.Fatal(err)
	}
	return o.ID
}

func publish(t *testing.T, ev *service.Events, typ string, orgID int64, project string) {
	t.Helper()
	e, err := fleetwatch.NewEvent(typ, orgID, fleetwatch.ExposureEventData{Project: project, Severity: fleetwatch.SeverityCritical})
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func eventProject(t *testing.T, f frame) string {
	t.Helper()
	var e struct {
		ID             string                       `json:"id"`
		OrganizationID string                       `json:"organization_id"`
		Data           fleetwatch.ExposureEventData `json:"data"`
	}
	if err := json.Unmarshal([]byte(f.Data), &e); err != nil {
		t.Fatalf("event data %q: %v", f.Data, err)
	}
	if e.ID != f.ID {
		t.Errorf("data id %q, SSE id %q", e.ID, f.ID)
	}
	return e.Data.Project
}

func TestEvents_Stream(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a, b := e.createOrg("A"), e.createOrg("B")
		viewer := e.createUser("viewer@a.example", "viewer", a)
		srv := newEventServer(t, e, memory.NewEventBus(100))
		url := srv.url + "/api/v1/events"

		t.Run("OrganizationOnly", func(t *testing.T) {
			mine := openStream(t, url, viewer).connected()
			all := openStream(t, url, e.admin).connected()
			publish(t, srv.events, fleetwatch.EventExposureOpened, e.orgID(b), "of-b")
			publish(t, srv.events, fleetwatch.EventExposureOpened, e.orgID(a), "of-a")
			f := mine.next(false)
			if f.Event != fleetwatch.EventExposureOpened || eventProject(t, f) != "of-a" {
				t.Errorf("viewer of A got %+v, want A's event only", f)
			}
			if got := eventProject(t, all.next(false)) + "," + eventProject(t, all.next(false)); got != "of-b,of-a" {
				t.Errorf("admin got %s, want of-b,of-a", got)
			}
		})

		t.Run("LastEventID", func(t *testing.T) {
			s := openStream(t, url, viewer).connected()
			publish(t, srv.events, fleetwatch.EventSnapshotProcessed, e.orgID(a), "p0")
			last := s.next(false).ID
			s.close()
			for _, p := range []string{"p1", "p2", "p3"} {
				publish(t, srv.events, fleetwatch.EventSnapshotProcessed, e.orgID(a), p)
			}
			for _, header := range [][]string{{"Last-Event-ID", last}, nil} {
				u := url
				if header == nil {
					u += "?last_event_id=" + last
				}
				r := openStream(t, u, viewer, header...).connected()
				var got []string
				for range 3 {
					got = append(got, eventProject(t, r.next(false)))
				}
				if strings.Join(got, ",") != "p1,p2,p3" {
					t.Errorf("replay after %s = %v, want p1,p2,p3", last, got)
				}
			}
		})

		t.Run("Heartbeat", func(t *testing.T) {
			s := openStream(t, url, viewer).connected()
			if f := s.next(true); f.Comment != "heartbeat" {
				t.Errorf("idle stream sent %+v, want a heartbeat comment", f)
			}
		})

		t.Run("Ticket", func(t *testing.T) {
			r := e.do("POST", "/api/v1/events/ticket", viewer, nil)
			if r.Status != 201 {
				t.Fatalf("ticket: %d %s", r.Status, r.Raw)
			}
			ticket := r.data()["ticket"].(string)
			s := openStream(t, url+"?ticket="+ticket, "").connected()
			publish(t, srv.events, fleetwatch.EventPatchRunRecorded, e.orgID(b), "of-b")
			publish(t, srv.events, fleetwatch.EventPatchRunRecorded, e.orgID(a), "of-a")
			if p := eventProject(t, s.next(false)); p != "of-a" {
				t.Errorf("ticket stream got %s, want of-a", p)
			}
			if again := openStream(t, url+"?ticket="+ticket, ""); again.status != 401 {
				t.Errorf("reused ticket: status %d, want 401", again.status)
			}
			if bad := openStream(t, url+"?ticket=fwt_nonsense", ""); bad.status != 401 {
				t.Errorf("made-up ticket: status %d, want 401", bad.status)
			}
			if none := openStream(t, url, ""); none.status != 401 {
				t.Errorf("no credentials: status %d, want 401", none.status)
			}
		})
	})
}

func TestEvents_TwoReplicasShareRedis(t *testing.T) {
	rdb := redistest.Client(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	ns, err := redisx.NewNamespace("fleetwatch-test", hex.EncodeToString(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Del(context.Background(), ns.Name("events")) })
	bus := func() fleetwatch.EventBus {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		bus, err := redisx.NewEventBus(ctx, rdb, redisx.EventBusOptions{Namespace: ns, Window: 100})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bus.Close() })
		return bus
	}
	sqlstoreForEachSQLite(t, func(t *testing.T, e *env) {
		a := e.createOrg("A")
		viewer := e.createUser("viewer@a.example", "viewer", a)
		one, two := newEventServer(t, e, bus()), newEventServer(t, e, bus())

		s := openStream(t, two.url+"/api/v1/events", viewer).connected()
		publish(t, one.events, fleetwatch.EventExposureOpened, e.orgID(a), "from-one")
		f := s.next(false)
		if eventProject(t, f) != "from-one" {
			t.Fatalf("client of replica two got %+v", f)
		}
		s.close()

		// What replica one publishes while the client is away is replayed
		// by replica two from Redis.
		publish(t, one.events, fleetwatch.EventExposureResolved, e.orgID(a), "missed")
		r := openStream(t, two.url+"/api/v1/events", viewer, "Last-Event-ID", f.ID).connected()
		if p := eventProject(t, r.next(false)); p != "missed" {
			t.Errorf("replay on replica two got %s, want missed", p)
		}
	})
}

// sqlstoreForEachSQLite runs fn against an API on SQLite only: the database
// plays no part in what the test checks.
func sqlstoreForEachSQLite(t *testing.T, fn func(t *testing.T, e *env)) {
	fn(t, newEnv(t, sqlstoretest.MustOpen(t, sqlstoretest.SQLite)))
}

// TestEvents_StreamEndsOnRevocation checks that an open stream ends within
// a heartbeat of its session's logout, and of its API key's revocation.
func TestEvents_StreamEndsOnRevocation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		srv := newEventServer(t, e, memory.NewEventBus(100))
		orgID := e.createOrg("Acme")
		tok := e.createUser("ops@acme.example", "viewer", orgID)
		s := openStream(t, srv.url+"/api/v1/events", tok).connected()
		e.must(204, "POST", "/api/v1/auth/logout", tok, nil)
		waitEnd(t, s, "credentials revoked")

		key := e.must(201, "POST", "/api/v1/organizations/"+orgID+"/api-keys", e.admin, map[string]any{"name": "dash", "scope": "read"}).data()
		ks := openStream(t, srv.url+"/api/v1/events", key["key"].(string)).connected()
		e.must(204, "DELETE", "/api/v1/organizations/"+orgID+"/api-keys/"+key["id"].(string), e.admin, nil)
		waitEnd(t, ks, "credentials revoked")
	})
}

// waitEnd waits for the stream to end, after a comment containing why.
func waitEnd(t *testing.T, s *stream, why string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	saw := false
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				if !saw {
					t.Errorf("the stream ended without saying %q", why)
				}
				return
			}
			saw = saw || strings.Contains(f.Comment, why)
		case <-timeout:
			t.Fatal("the stream is still open")
		}
	}
}
