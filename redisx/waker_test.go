package redisx_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/redis/go-redis/v9"
)

// redisURL returns the test server's URL, skipping when it does not answer
// (failing under CI=true).
func redisURL(t *testing.T) string {
	t.Helper()
	url := os.Getenv("FLEETWATCH_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		msg := "Redis is not reachable at " + url + " (set FLEETWATCH_TEST_REDIS_URL): " + err.Error()
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return url
}

func TestWaker_WakesOneConsumer(t *testing.T) {
	url := redisURL(t)
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
