package redisx_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/redisx/redistest"
	"github.com/redis/go-redis/v9"
)

func TestWaker_WakesOneConsumer(t *testing.T) {
	url := redistest.URL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	ns, err := redisx.NewNamespace("fleetwatch-test", hex.EncodeToString(b))
	if err != nil {
		t.Fatal(err)
	}
	stream := ns.Name("ingest")
	ctx := context.Background()
	a, err := redisx.NewWaker(ctx, url, ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	bw, err := redisx.NewWaker(ctx, url, ns, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bw.Close()
	t.Cleanup(func() {
		opts, _ := redis.ParseURL(url)
		c := redis.NewClient(opts)
		c.Del(context.Background(), stream)
		c.Close()
	})

	if err := a.Wake(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-a.Wakeups():
	case <-bw.Wakeups():
	case <-time.After(5 * time.Second):
		t.Fatal("no consumer woke up")
	}
	// Wake-ups keep flowing.
	for range 3 {
		_ = bw.Wake(ctx)
		select {
		case <-a.Wakeups():
		case <-bw.Wakeups():
		case <-time.After(5 * time.Second):
			t.Fatal("no consumer woke up")
		}
	}
}
