package service

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
)

type countingStore struct {
	fakeReportStore
	calls int
}

func (c *countingStore) Summary(_ context.Context, sc fleetwatch.ReportScope) (*fleetwatch.SummaryReport, error) {
	c.calls++
	return &fleetwatch.SummaryReport{Sites: c.calls}, nil
}

func TestReports_Cache(t *testing.T) {
	store := &countingStore{}
	now := day(20, 12)
	r := &Reports{Store: store, Now: func() time.Time { return now }, Cache: memory.NewCache(100)}
	ctx := adminCtx()
	first, _ := r.Summary(ctx, ScopeInput{})
	second, _ := r.Summary(ctx, ScopeInput{})
	if store.calls != 1 || second.Sites != first.Sites {
		t.Fatalf("second summary recomputed: %d calls", store.calls)
	}
	// A change in any organization invalidates the fleet-wide answer.
	if err := r.Invalidate(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if third, _ := r.Summary(ctx, ScopeInput{}); store.calls != 2 || third.Sites != 2 {
		t.Errorf("after invalidation: %d calls, %d sites", store.calls, third.Sites)
	}
	// Another period is another answer.
	r.Summary(ctx, ScopeInput{From: "2026-11-01"})
	if store.calls != 3 {
		t.Errorf("another period served from the cache")
	}
	// Events invalidate through the bus.
	bus := memory.NewEventBus(memory.DefaultEventWindow)
	stop := r.WatchEvents(bus, nil)
	e, _ := fleetwatch.NewEvent(fleetwatch.EventSnapshotProcessed, 7, fleetwatch.SnapshotEventData{SiteID: "s"})
	if err := bus.Publish(ctx, &e); err != nil {
		t.Fatal(err)
	}
	stop()
	r.Summary(ctx, ScopeInput{})
	if store.calls != 4 {
		t.Errorf("an event did not invalidate the summary (%d calls)", store.calls)
	}
}
