package memory

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// DefaultEventWindow is how many recent events an EventBus keeps for replay.
const DefaultEventWindow = 1000

// EventBus is the in-process fleetwatch.EventBus of a single node: events
// reach the subscribers of this process only, and the replay window is a
// ring of the last Window events (and, when MaxAge is set, no older than
// MaxAge).
type EventBus struct {
	// Window bounds the replay window; DefaultEventWindow when 0.
	Window int
	// MaxAge drops older events from replay; 0 keeps Window events.
	MaxAge time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu      sync.Mutex
	ring    []*fleetwatch.Event
	lastMS  uint64
	lastSeq uint64
	subs    map[int]func(*fleetwatch.Event)
	nextSub int
	closed  bool
}

var _ fleetwatch.EventBus = (*EventBus)(nil)

// NewEventBus returns a bus that keeps the last window events.
func NewEventBus(window int) *EventBus { return &EventBus{Window: window} }

func (b *EventBus) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *EventBus) window() int {
	if b.Window > 0 {
		return b.Window
	}
	return DefaultEventWindow
}

// Publish assigns e an ID, keeps it for replay and calls every subscriber,
// in order, before it returns.
func (b *EventBus) Publish(_ context.Context, e *fleetwatch.Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errBusClosed
	}
	now := b.now()
	if e.Time.IsZero() {
		e.Time = now.UTC()
	}
	// IDs look like Redis stream IDs, so that they increase across restarts
	// as long as the clock does.
	ms := uint64(max(now.UnixMilli(), 0))
	if ms <= b.lastMS {
		ms, b.lastSeq = b.lastMS, b.lastSeq+1
	} else {
		b.lastSeq = 0
	}
	b.lastMS = ms
	e.ID = strconv.FormatUint(ms, 10) + "-" + strconv.FormatUint(b.lastSeq, 10)
	stored := *e
	b.ring = append(b.ring, &stored)
	if over := len(b.ring) - b.window(); over > 0 {
		b.ring = append(b.ring[:0:0], b.ring[over:]...)
	}
	for _, fn := range b.subs {
		fn(&stored)
	}
	return nil
}

// Subscribe calls fn with every event published from now on. fn runs on the
// publisher's goroutine, under the bus's lock: it must not block or publish.
func (b *EventBus) Subscribe(fn func(*fleetwatch.Event)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.subs == nil {
		b.subs = map[int]func(*fleetwatch.Event){}
	}
	id := b.nextSub
	b.nextSub++
	b.subs[id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}

// Since returns the kept events after afterID, oldest first; complete is
// false when events after afterID were already dropped from the window. An
// empty afterID asks for nothing and is complete.
func (b *EventBus) Since(_ context.Context, afterID string) ([]*fleetwatch.Event, bool, error) {
	if afterID == "" {
		return nil, true, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	cutoff := time.Time{}
	if b.MaxAge > 0 {
		cutoff = b.now().Add(-b.MaxAge)
	}
	var out []*fleetwatch.Event
	complete := true
	for i, e := range b.ring {
		if fleetwatch.CompareEventIDs(e.ID, afterID) <= 0 {
			continue
		}
		if e.Time.Before(cutoff) {
			complete = false
			continue
		}
		if i == 0 && len(b.ring) == b.window() {
			// The oldest kept event is after afterID: the ones between
			// may have fallen out of the ring.
			complete = false
		}
		c := *e
		out = append(out, &c)
	}
	return out, complete, nil
}

// Close stops delivery; Publish fails afterwards.
func (b *EventBus) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	b.subs = nil
	return nil
}

var errBusClosed = errors.New("event bus closed")
