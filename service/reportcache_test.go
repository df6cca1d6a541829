package service

import (
	"context"
	"strings"
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

// FindOrganizationByID knows organization 7.
func (c *countingStore) FindOrganizationByID(_ context.Context, id int64) (*fleetwatch.Organization, error) {
	if id != 7 {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "no organization %d", id)
	}
	return &fleetwatch.Organization{ID: 7, UUID: "0f6ac4c2-6a43-4c55-9a40-3d1f2b7e5a01"}, nil
}

// keyRecorder is a cache that records every key and scope it is given.
type keyRecorder struct {
	*memory.Cache
	names []string
}

func (k *keyRecorder) Get(ctx context.Context, key string) ([]byte, bool, error) {
	k.names = append(k.names, key)
	return k.Cache.Get(ctx, key)
}

func (k *keyRecorder) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	k.names = append(k.names, key)
	return k.Cache.Set(ctx, key, v, ttl)
}

func (k *keyRecorder) Generation(ctx context.Context, scope string) (int64, error) {
	k.names = append(k.names, scope)
	return k.Cache.Generation(ctx, scope)
}

func (k *keyRecorder) Bump(ctx context.Context, scopes ...string) error {
	k.names = append(k.names, scopes...)
	return k.Cache.Bump(ctx, scopes...)
}

// TestReports_CacheKeysNameTheOrganizationsUUID: an organization's internal
// id is the same number in every installation, so two installations sharing
// a cache would serve each other's reports; its uuid is its own.
func TestReports_CacheKeysNameTheOrganizationsUUID(t *testing.T) {
	store := &countingStore{}
	rec := &keyRecorder{Cache: memory.NewCache(100)}
	r := &Reports{Store: store, Now: func() time.Time { return day(20, 12) }, Cache: rec}
	ctx := fleetwatch.NewContextWithActor(context.Background(), &fleetwatch.Actor{UserID: 2, OrganizationID: 7, Role: fleetwatch.RoleViewer})
	if _, err := r.Summary(ctx, ScopeInput{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Invalidate(ctx, 7, 8); err != nil { // 8 does not exist (any more)
		t.Fatal(err)
	}
	if _, err := r.Summary(ctx, ScopeInput{}); err != nil || store.calls != 2 {
		t.Fatalf("after invalidation: %d calls, %v", store.calls, err)
	}
	named := 0
	for _, n := range rec.names {
		if strings.Contains(n, "org:7") || strings.Contains(n, "org:8") {
			t.Errorf("cache name %q uses an internal organization id", n)
		}
		if strings.Contains(n, "org:0f6ac4c2-6a43-4c55-9a40-3d1f2b7e5a01") {
			named++
		}
	}
	if named < 4 {
		t.Errorf("%d of the cache names %q name the organization's uuid", named, rec.names)
	}
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
