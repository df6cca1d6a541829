package redisx_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/redisx/redistest"
	"github.com/redis/go-redis/v9"
)

// eventRedis returns a client of the test Redis with a unique name, skipping
// when Redis does not answer except under CI=true.
func eventRedis(t *testing.T) (*redis.Client, redisx.Namespace) {
	t.Helper()
	opts := redistest.Options(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "fwtest-" + hex.EncodeToString(b)
	opts.ClientName = name
	rdb := redis.NewClient(opts)
	ns, err := redisx.NewNamespace("fleetwatch-test", name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		rdb.Del(context.Background(), ns.Name("events"))
		rdb.Close()
	})
	return rdb, ns
}

func newBus(t *testing.T, rdb *redis.Client, ns redisx.Namespace) *redisx.EventBus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := redisx.NewEventBus(ctx, rdb, redisx.EventBusOptions{Namespace: ns, Window: 50})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// receive subscribes and returns a channel of what arrives.
func receive(b *redisx.EventBus) <-chan *fleetwatch.Event {
	ch := make(chan *fleetwatch.Event, 100)
	b.Subscribe(func(e *fleetwatch.Event) { ch <- e })
	return ch
}

func wait(t *testing.T, ch <-chan *fleetwatch.Event) *fleetwatch.Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
		return nil
	}
}

func publish(t *testing.T, b *redisx.EventBus, data string) *fleetwatch.Event {
	t.Helper()
	e := &fleetwatch.Event{Type: fleetwatch.EventExposureOpened, OrganizationID: 7, OrganizationUUID: "org-7", Data: []byte(data)}
	if err := b.Publish(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEventBus_FanOut(t *testing.T) {
	rdb, ns := eventRedis(t)
	one, two := newBus(t, rdb, ns), newBus(t, rdb, ns)
	got1, got2 := receive(one), receive(two)
	e := publish(t, one, `{"n":1}`)
	for _, ch := range []<-chan *fleetwatch.Event{got1, got2} {
		r := wait(t, ch)
		if r.ID != e.ID || r.OrganizationID != 7 || r.OrganizationUUID != "org-7" || string(r.Data) != `{"n":1}` || !r.Time.Equal(e.Time) {
			t.Errorf("received %+v, published %+v", r, e)
		}
	}
	events, complete, err := two.Since(context.Background(), e.ID)
	if err != nil || len(events) != 0 || !complete {
		t.Errorf("Since(newest) = %v, %v, %v", events, complete, err)
	}
	e2 := publish(t, two, `{"n":2}`)
	events, complete, err = one.Since(context.Background(), e.ID)
	if err != nil || len(events) != 1 || events[0].ID != e2.ID || !complete {
		t.Errorf("Since = %v, %v, %v", events, complete, err)
	}
}

func TestEventBus_Trimmed(t *testing.T) {
	rdb, ns := eventRedis(t)
	b := newBus(t, rdb, ns)
	first := publish(t, b, `{}`)
	// XADD MAXLEN ~ trims whole nodes only; force the trim exactly.
	for range 5 {
		publish(t, b, `{}`)
	}
	if err := rdb.XTrimMaxLen(context.Background(), ns.Name("events"), 2).Err(); err != nil {
		t.Fatal(err)
	}
	events, complete, err := b.Since(context.Background(), first.ID)
	if err != nil || len(events) != 2 || complete {
		t.Errorf("Since(trimmed) = %d events, complete %v, %v; want 2, false", len(events), complete, err)
	}
}

// A replica whose subscription drops gets what was published meanwhile
// from the stream, once and in order.
func TestEventBus_Reconnect(t *testing.T) {
	rdb, ns := eventRedis(t)
	pub := newBus(t, rdb, ns)
	sub := newBus(t, rdb, ns)
	got := receive(sub)
	first := publish(t, pub, `{"n":0}`)
	if e := wait(t, got); e.ID != first.ID {
		t.Fatalf("got %s, want %s", e.ID, first.ID)
	}
	// Kill the subscriber connections of this test's client, then publish
	// before the bus resubscribes.
	list, err := rdb.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	name := rdb.Options().ClientName
	sc := bufio.NewScanner(strings.NewReader(list))
	killed := 0
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, " name="+name+" ") || !strings.Contains(line, " sub=1 ") {
			continue
		}
		for _, f := range strings.Fields(line) {
			if id, ok := strings.CutPrefix(f, "id="); ok {
				if err := rdb.Do(context.Background(), "CLIENT", "KILL", "ID", id).Err(); err != nil {
					t.Fatal(err)
				}
				killed++
			}
		}
	}
	if killed == 0 {
		t.Fatal("found no subscriber connection to kill")
	}
	var want []string
	for range 3 {
		want = append(want, publish(t, pub, `{}`).ID)
	}
	for _, id := range want {
		if e := wait(t, got); e.ID != id {
			t.Fatalf("after reconnect got %s, want %s", e.ID, id)
		}
	}
	select {
	case e := <-got:
		t.Errorf("duplicate or extra event %s", e.ID)
	default:
	}
}
