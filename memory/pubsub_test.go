package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
)

func TestEventBus_PublishSubscribe(t *testing.T) {
	ctx := context.Background()
	b := memory.NewEventBus(3)
	var got []string
	cancel := b.Subscribe(func(e *fleetwatch.Event) { got = append(got, e.ID) })
	var ids []string
	for range 5 {
		e := &fleetwatch.Event{Type: fleetwatch.EventSnapshotProcessed, OrganizationID: 1}
		if err := b.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
		if len(ids) > 0 && fleetwatch.CompareEventIDs(e.ID, ids[len(ids)-1]) <= 0 {
			t.Fatalf("id %s after %s", e.ID, ids[len(ids)-1])
		}
		if e.Time.IsZero() {
			t.Error("Publish left Time zero")
		}
		ids = append(ids, e.ID)
	}
	cancel()
	_ = b.Publish(ctx, &fleetwatch.Event{Type: fleetwatch.EventSnapshotProcessed, OrganizationID: 1})
	if len(got) != 5 || got[0] != ids[0] || got[4] != ids[4] {
		t.Errorf("subscriber got %v, want %v", got, ids)
	}

	for _, tc := range []struct {
		name         string
		after        string
		want         int
		wantComplete bool
	}{
		{"Live", "", 0, true},
		{"Recent", ids[4], 1, true}, // the one published after cancel
		{"WithinWindow", ids[3], 2, true},
		{"Trimmed", ids[0], 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			events, complete, err := b.Since(ctx, tc.after)
			if err != nil {
				t.Fatal(err)
			}
			if len(events) != tc.want || complete != tc.wantComplete {
				t.Errorf("Since(%q) = %d events, complete %v; want %d, %v", tc.after, len(events), complete, tc.want, tc.wantComplete)
			}
		})
	}
}

func TestEventBus_MaxAge(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &memory.EventBus{Window: 10, MaxAge: time.Minute, Now: func() time.Time { return now }}
	first := &fleetwatch.Event{Type: fleetwatch.EventSnapshotProcessed, OrganizationID: 1}
	_ = b.Publish(context.Background(), first)
	_ = b.Publish(context.Background(), &fleetwatch.Event{Type: fleetwatch.EventSnapshotProcessed, OrganizationID: 1})
	now = now.Add(2 * time.Minute)
	_ = b.Publish(context.Background(), &fleetwatch.Event{Type: fleetwatch.EventSnapshotProcessed, OrganizationID: 1})
	events, complete, err := b.Since(context.Background(), first.ID)
	if err != nil || len(events) != 1 || complete {
		t.Errorf("Since = %d events, complete %v, %v; want 1, false", len(events), complete, err)
	}
}
