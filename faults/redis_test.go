//go:build faults

package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/redisx/redistest"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// events follows an event stream as a browser's EventSource does: when the
// stream ends it reconnects with Last-Event-ID.
type events struct {
	mu   sync.Mutex
	seen []sseEvent
	// connects counts the streams opened, refused what the others got.
	connects int
	refused  map[string]int
	// incomplete counts the streams that said events were lost.
	incomplete int
	cancel     context.CancelFunc // ends the stream being read
}

func (ev *events) follow(ctx context.Context, t *testing.T, url, token string) {
	last := ""
	for ctx.Err() == nil {
		cctx, cancel := context.WithCancel(ctx)
		ev.mu.Lock()
		ev.cancel = cancel
		ev.mu.Unlock()
		ch, err := sse(cctx, t, url, token, last)
		ev.mu.Lock()
		if err == nil {
			ev.connects++
		} else {
			ev.refused[err.Error()]++
		}
		ev.mu.Unlock()
		if err == nil {
			for e := range ch {
				ev.mu.Lock()
				if e.typ == "incomplete" {
					ev.incomplete++
				} else {
					ev.seen = append(ev.seen, e)
					last = e.id
				}
				ev.mu.Unlock()
			}
		}
		cancel()
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// drop breaks the stream being read, as a lost connection does.
func (ev *events) drop() {
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if ev.cancel != nil {
		ev.cancel()
	}
}

// processed returns the audit log ids of the snapshot.processed events
// seen, and fails on an event seen twice or out of order.
func (ev *events) processed(t *testing.T) map[string]int {
	t.Helper()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	out := map[string]int{}
	for i, e := range ev.seen {
		if i > 0 && fleetwatch.CompareEventIDs(e.id, ev.seen[i-1].id) <= 0 {
			t.Errorf("event %s came after %s", e.id, ev.seen[i-1].id)
		}
		if e.typ != fleetwatch.EventSnapshotProcessed {
			continue
		}
		var body struct {
			Data fleetwatch.SnapshotEventData `json:"data"`
		}
		if err := json.Unmarshal([]byte(e.data), &body); err != nil {
			t.Fatalf("event %s: %v", e.id, err)
		}
		out[body.Data.AuditLogID]++
	}
	return out
}

// TestFaults_RedisRestart: the Redis that carries wake-ups, events and
// the report cache is killed in the middle of the load and restarted
// empty. Ingest goes on from the database queue (pushes are still
// answered 202 and applied, exactly once); an event stream that follows
// along, reconnecting with Last-Event-ID, gets every event published once
// Redis is back, once each and in order; reports are computed afresh.
func TestFaults_RedisRestart(t *testing.T) {
	rs := redistest.StartServer(t) // without persistence: killed, it comes back empty
	dbURL := sqlstoretest.NewDatabaseURL(t, sqlstoretest.Postgres)
	s := startServe(t, dbURL, "FLEETWATCH_REDIS_URL="+rs.URL())
	f := newFleet(t, dbURL, s.URL, 4)
	versions := func() map[string]float64 {
		rows := f.admin.Must(200, "GET", "/api/v1/reports/module-usage/versions?project=token", nil)["data"].([]any)
		out := map[string]float64{}
		for _, r := range rows {
			m := r.(map[string]any)
			out[m["version"].(string)] = m["sites"].(float64)
		}
		return out
	}
	ctx, stop := context.WithCancel(context.Background())
	ev := &events{refused: map[string]int{}}
	var following sync.WaitGroup
	following.Add(1)
	go func() { defer following.Done(); ev.follow(ctx, t, s.URL, f.admin.Token) }()
	t.Cleanup(func() { stop(); following.Wait() })

	d := loadDuration(t)
	l := startLoad(t, f, []string{s.URL})
	time.Sleep(d / 3)
	cached := versions()
	rs.Kill()
	down := time.Now()
	// The stream breaks while Redis is down: the client comes back with
	// Last-Event-ID until it is let in.
	ev.drop()
	time.Sleep(d / 3)
	rs.Start(t)
	up := time.Now()
	time.Sleep(d / 6)
	// And once more with Redis back: the events of the gap are replayed.
	ev.drop()
	time.Sleep(d / 6)
	l.end()
	db := openDB(t, dbURL)
	l.checkExactlyOnce(db)

	// Events: every payload applied once Redis was back (and the bus had
	// a moment to resubscribe) was announced to the stream, once.
	time.Sleep(2 * time.Second)
	stop()
	following.Wait()
	seen := ev.processed(t)
	rows, err := db.Query(`SELECT uuid, processed_at FROM audit_logs WHERE kind = 'inventory' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var missedBefore, missedDown, missedAfter, during, after int
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			t.Fatal(err)
		}
		if seen[id] > 1 {
			t.Errorf("snapshot.processed for %s came %d times", id, seen[id])
		}
		switch {
		case at.Before(down.Add(-2 * time.Second)):
			// Announced before the kill; those of the last moment may be
			// still on their way to the stream, which the restart empties.
			if seen[id] == 0 {
				missedBefore++
			}
		case at.Before(up.Add(2 * time.Second)):
			during++
			if seen[id] == 0 {
				missedDown++
			}
		default:
			after++
			if seen[id] == 0 {
				missedAfter++
			}
		}
	}
	t.Logf("event stream: %d connections (%d told events were lost), refused meanwhile %v; snapshot.processed missing for %d inventories applied before the kill, %d of %d around the outage (2 s either side), %d of %d after",
		ev.connects, ev.incomplete, ev.refused, missedBefore, missedDown, during, missedAfter, after)
	for answer := range ev.refused {
		if !strings.HasPrefix(answer, "event stream: 503,") || strings.Contains(answer, `""`) {
			t.Errorf("a reconnection while Redis was down got %s, want 503 with Retry-After", answer)
		}
	}
	// Whether a reconnection says that events were lost is not asserted:
	// events whose publish failed never reached the window, and a window
	// still empty after the restart reads as complete (decisions.md).
	if ev.connects < 3 {
		t.Errorf("the event stream was opened %d times, want 3 (two reconnections)", ev.connects)
	}
	if after == 0 {
		t.Error("no inventory was applied after Redis came back")
	}
	if missedAfter > 0 {
		t.Errorf("%d of %d inventories applied after Redis came back were never announced on the event stream", missedAfter, after)
	}
	if missedBefore > 0 {
		t.Errorf("%d inventories applied before the kill were never announced", missedBefore)
	}

	// Reports: computed afresh from the database, not what was cached.
	want := map[string]float64{}
	for site := range f.sites {
		if n, ok := l.newest[site]; ok {
			want[fmt.Sprintf("8.x-1.%d", n)]++
		}
	}
	if got := versions(); !mapsEqual(got, want) {
		t.Errorf("token versions report after the restart %v, want %v (cached before the kill: %v)", got, want, cached)
	}
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	keys := make([]string, 0, len(a))
	for k := range a {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}
