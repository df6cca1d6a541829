package service_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/service/servicetest"
)

func asActor(a *fleetwatch.Actor) context.Context {
	return fleetwatch.NewContextWithActor(context.Background(), a)
}

// eventsFixture is an in-memory store with two organizations and the events
// service: fan-out, replay and tickets need no database.
type eventsFixture struct {
	store  *servicetest.Store
	events *service.Events
	a, b   *fleetwatch.Organization
}

func newEventsFixture(t *testing.T, buffer int) *eventsFixture {
	t.Helper()
	s := servicetest.NewStore()
	f := &eventsFixture{store: s}
	for _, o := range []**fleetwatch.Organization{&f.a, &f.b} {
		*o = &fleetwatch.Organization{Name: "Org", IsActive: true}
		if err := s.CreateOrganization(context.Background(), *o, 0); err != nil {
			t.Fatal(err)
		}
	}
	f.events = service.NewEvents(memory.NewEventBus(100), s, slog.New(slog.DiscardHandler))
	f.events.Buffer = buffer
	t.Cleanup(f.events.Close)
	return f
}

func (f *eventsFixture) publish(t *testing.T, orgID int64, typ string) {
	t.Helper()
	e, err := fleetwatch.NewEvent(typ, orgID, map[string]any{"n": 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.events.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
}

func nextEvent(t *testing.T, sub *service.Subscription) *fleetwatch.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e, err := sub.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEvents_Subscribe(t *testing.T) {
	f := newEventsFixture(t, 0)
	t.Run("OK", func(t *testing.T) {
		mine, err := f.events.Subscribe(asActor(&fleetwatch.Actor{UserID: 1, OrganizationID: f.a.ID, Role: fleetwatch.RoleViewer}), "")
		if err != nil {
			t.Fatal(err)
		}
		defer mine.Close()
		all, err := f.events.Subscribe(asActor(&fleetwatch.Actor{UserID: 2, Role: fleetwatch.RoleAdmin}), "")
		if err != nil {
			t.Fatal(err)
		}
		defer all.Close()
		f.publish(t, f.b.ID, fleetwatch.EventSnapshotProcessed)
		f.publish(t, f.a.ID, fleetwatch.EventPatchRunRecorded)
		if e := nextEvent(t, mine); e.OrganizationID != f.a.ID || e.OrganizationUUID != f.a.UUID || e.Type != fleetwatch.EventPatchRunRecorded {
			t.Errorf("member of A got %+v", e)
		}
		if e1, e2 := nextEvent(t, all), nextEvent(t, all); e1.OrganizationID != f.b.ID || e2.OrganizationID != f.a.ID ||
			fleetwatch.CompareEventIDs(e1.ID, e2.ID) >= 0 {
			t.Errorf("admin got %+v then %+v", e1, e2)
		}
	})
	t.Run("ErrUnauthorized", func(t *testing.T) {
		_, err := f.events.Subscribe(context.Background(), "")
		if fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("no actor: %v", err)
		}
		_, err = f.events.Subscribe(asActor(&fleetwatch.Actor{UserID: 3, Role: fleetwatch.RoleViewer}), "")
		if fleetwatch.ErrorCode(err) != fleetwatch.EFORBIDDEN {
			t.Errorf("no organization: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, e := range []fleetwatch.Event{{Type: "nope", OrganizationID: f.a.ID}, {Type: fleetwatch.EventSLABreached}} {
			if err := f.events.Publish(context.Background(), e); fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
				t.Errorf("Publish(%+v) = %v, want EINVALID", e, err)
			}
		}
	})
}

func TestEvents_SlowClient(t *testing.T) {
	f := newEventsFixture(t, 2)
	ctx := asActor(&fleetwatch.Actor{UserID: 1, OrganizationID: f.a.ID, Role: fleetwatch.RoleViewer})
	slow, err := f.events.Subscribe(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	f.publish(t, f.a.ID, fleetwatch.EventSnapshotProcessed)
	first := nextEvent(t, slow)
	// The publisher never waits for a client that does not read.
	for range 10 {
		f.publish(t, f.a.ID, fleetwatch.EventSnapshotProcessed)
	}
	if _, err := slow.Next(context.Background()); !errors.Is(err, service.ErrSlowClient) {
		t.Fatalf("lagging subscriber: %v, want ErrSlowClient", err)
	}
	if n := f.events.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left, want 0", n)
	}
	// Resuming from the last event seen replays the ten, in order.
	again, err := f.events.Subscribe(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	last := first.ID
	for i := range 10 {
		e := nextEvent(t, again)
		if fleetwatch.CompareEventIDs(e.ID, last) <= 0 {
			t.Fatalf("event %d: %s after %s", i, e.ID, last)
		}
		last = e.ID
	}
	if !again.Complete {
		t.Error("replay reported a gap")
	}
}

func TestEvents_Ticket(t *testing.T) {
	f := newEventsFixture(t, 0)
	u := &fleetwatch.User{Name: "V", Email: "v@a.example", OrganizationID: f.a.ID, Role: fleetwatch.RoleViewer, IsActive: true}
	if err := f.store.CreateUser(context.Background(), u, 0); err != nil {
		t.Fatal(err)
	}
	ctx := asActor(&fleetwatch.Actor{UserID: u.ID, OrganizationID: f.a.ID, Role: fleetwatch.RoleViewer})
	ticket, _, err := f.events.IssueTicket(ctx, "the-token")
	if err != nil {
		t.Fatal(err)
	}
	if cred, err := f.events.RedeemTicket(context.Background(), ticket); err != nil || cred != "the-token" {
		t.Fatalf("redeem: %q %v", cred, err)
	}
	if _, err := f.events.RedeemTicket(context.Background(), ticket); fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
		t.Errorf("second redeem: %v, want EUNAUTHORIZED", err)
	}
	_, _, err = f.events.IssueTicket(asActor(&fleetwatch.Actor{APIKeyID: 1, OrganizationID: f.a.ID, Role: fleetwatch.RoleViewer}), "fwi_x")
	if fleetwatch.ErrorCode(err) != fleetwatch.EFORBIDDEN {
		t.Errorf("ticket for an API key: %v, want EFORBIDDEN", err)
	}
}

// downBus is a bus whose replay window cannot be read (Redis is down).
type downBus struct{ fleetwatch.EventBus }

func (downBus) Since(context.Context, string) ([]*fleetwatch.Event, bool, error) {
	return nil, false, errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")
}

// TestEvents_ReplayUnavailable: a reconnection whose missed events cannot
// be read is told to come back (EUNAVAILABLE with Retry-After), not met
// with an internal error.
func TestEvents_ReplayUnavailable(t *testing.T) {
	s := servicetest.NewStore()
	bus := memory.NewEventBus(100)
	t.Cleanup(func() { bus.Close() })
	ev := service.NewEvents(downBus{bus}, s, slog.New(slog.DiscardHandler))
	t.Cleanup(ev.Close)
	_, err := ev.Subscribe(asActor(&fleetwatch.Actor{UserID: 1, Role: fleetwatch.RoleAdmin}), "1764979200000-0")
	var fe *fleetwatch.Error
	if !errors.As(err, &fe) || fe.Code != fleetwatch.EUNAVAILABLE || fe.RetryAfter == 0 {
		t.Fatalf("subscribe with the window unreadable: %v, want EUNAVAILABLE with Retry-After", err)
	}
}
