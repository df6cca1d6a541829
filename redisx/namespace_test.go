package redisx_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/redisx/redistest"
)

// TestNamespace_Names: the cache, the event stream and channel and the
// ingest wake-ups of an installation all live under
// <prefix>:<installation id>:, so that two installations on one Redis
// database never share a name.
func TestNamespace_Names(t *testing.T) {
	if _, err := redisx.NewNamespace("fleetwatch", ""); err == nil {
		t.Error("a namespace without an installation id")
	}
	ns, err := redisx.NewNamespace("", "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b")
	if err != nil {
		t.Fatal(err)
	}
	if got := ns.Name("cache", "report:summary"); got != "fleetwatch:1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b:cache:report:summary" {
		t.Errorf("Name = %q", got)
	}

	rdb, ns := eventRedis(t)
	url := redistest.URL(t)
	ctx := context.Background()
	other, _ := redisx.NewNamespace("fleetwatch-test", "other-"+ns.String())
	t.Cleanup(func() {
		for _, n := range []*redisx.Namespace{&ns, &other} {
			rdb.Del(context.Background(), n.Name("cache", "k"), n.Name("gen", "fleet"), n.Name("ingest"))
		}
	})
	cache := &redisx.Cache{Client: rdb, Namespace: ns}
	if err := cache.Set(ctx, "k", []byte("mine"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := cache.Bump(ctx, "fleet"); err != nil {
		t.Fatal(err)
	}
	bus := newBus(t, rdb, ns)
	e, _ := fleetwatch.NewEvent(fleetwatch.EventSnapshotProcessed, 1, fleetwatch.SnapshotEventData{SiteID: "s"})
	if err := bus.Publish(ctx, &e); err != nil {
		t.Fatal(err)
	}
	w, err := redisx.NewWaker(ctx, url, ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, key := range []string{ns.Name("cache", "k"), ns.Name("gen", "fleet"), ns.Name("events"), ns.Name("ingest")} {
		if n, err := rdb.Exists(ctx, key).Result(); err != nil || n != 1 {
			t.Errorf("%s: exists %d, %v", key, n, err)
		}
	}
	channels, err := rdb.PubSubChannels(ctx, ns.String()+":*").Result()
	if err != nil || !slices.Contains(channels, ns.Name("events", "live")) {
		t.Errorf("channels %v, %v: want %s", channels, err, ns.Name("events", "live"))
	}

	// Another installation sees none of it.
	theirs := &redisx.Cache{Client: rdb, Namespace: other}
	if _, ok, err := theirs.Get(ctx, "k"); ok || err != nil {
		t.Errorf("another installation reads this one's cache: %v %v", ok, err)
	}
	if gen, err := theirs.Generation(ctx, "fleet"); gen != 0 || err != nil {
		t.Errorf("another installation sees this one's generation %d, %v", gen, err)
	}
}
