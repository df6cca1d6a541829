package redisx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/redis/go-redis/v9"
)

// DefaultEventWindow is about how many events an EventBus keeps for replay.
const DefaultEventWindow = 1000

// EventBus is the fleetwatch.EventBus shared by every replica through Redis.
//
// Each event is appended to a capped stream (XADD MAXLEN ~ Window), which
// assigns its ID and is the replay window, and published on a channel in
// the same Lua script, so that the order of messages is the order of IDs.
// Every replica subscribes to the channel; when its subscription drops and
// comes back, it reads what it missed from the stream, so that its
// subscribers see every event, once, in order. Pub/sub rather than XREAD on
// the stream keeps the fan-out to one cheap message per replica; the stream
// is only read on reconnects and replays.
type EventBus struct {
	rdb     redis.UniversalClient
	stream  string
	channel string
	window  int64
	maxAge  time.Duration
	logger  *slog.Logger

	mu     sync.Mutex
	subs   map[int]func(*fleetwatch.Event)
	nextID int
	lastID string // newest event delivered to subscribers

	ps         *redis.PubSub
	subscribed atomic.Bool   // confirmed, and no error since
	ready      chan struct{} // closed at the first confirmation
	cancel     context.CancelFunc
	done       chan struct{}
}

// EventBusOptions configure an EventBus; zero values take the defaults.
type EventBusOptions struct {
	// Namespace names the stream (<namespace>:events) and the channel
	// (<namespace>:events:live); it is required.
	Namespace Namespace
	// Window is about how many events the stream keeps for replay.
	Window int64
	// MaxAge, when set, keeps events older than it out of replays.
	MaxAge time.Duration
	Logger *slog.Logger
}

var _ fleetwatch.EventBus = (*EventBus)(nil)

// publishScript appends an event to the capped stream and publishes it with
// its ID, atomically: Redis runs scripts one at a time, so messages go out
// in ID order.
var publishScript = redis.NewScript(`
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[2])
return id
`)

// NewEventBus subscribes to the bus's channel and returns once the
// subscription is confirmed, so that an event published after it returns
// reaches this replica.
func NewEventBus(ctx context.Context, rdb redis.UniversalClient, opts EventBusOptions) (*EventBus, error) {
	b, err := StartEventBus(rdb, opts)
	if err != nil {
		return nil, err
	}
	select {
	case <-b.ready:
		return b, nil
	case <-ctx.Done():
		_ = b.Close()
		return nil, fmt.Errorf("subscribe to events: %w", ctx.Err())
	}
}

// StartEventBus returns a bus at once; it subscribes in the background,
// retrying with back-off while Redis does not answer, so that a server
// starts and says it is not ready (Ping) rather than hanging.
func StartEventBus(rdb redis.UniversalClient, opts EventBusOptions) (*EventBus, error) {
	if opts.Namespace.IsZero() {
		return nil, errors.New("event bus: no namespace")
	}
	b := &EventBus{
		rdb: rdb, stream: opts.Namespace.Name("events"), window: opts.Window, maxAge: opts.MaxAge, logger: opts.Logger,
		subs: map[int]func(*fleetwatch.Event){}, ready: make(chan struct{}), done: make(chan struct{}),
	}
	b.channel = b.stream + ":live"
	if b.window <= 0 {
		b.window = DefaultEventWindow
	}
	if b.logger == nil {
		b.logger = slog.New(slog.DiscardHandler)
	}
	runCtx, cancel := context.WithCancel(context.Background())
	b.ps = rdb.Subscribe(runCtx, b.channel)
	b.cancel = cancel
	go b.run(runCtx)
	return b, nil
}

// Ping checks that Redis answers and that the bus is subscribed
// (readiness): a replica that is not hears no other replica's events.
func (b *EventBus) Ping(ctx context.Context) error {
	if err := b.rdb.Ping(ctx).Err(); err != nil {
		return err
	}
	if !b.subscribed.Load() {
		return errors.New("event subscription not (re)established yet")
	}
	return nil
}

// wireEvent is an event as the stream keeps it; the ID is the entry's.
type wireEvent struct {
	Type             string          `json:"t"`
	OrganizationID   int64           `json:"o"`
	OrganizationUUID string          `json:"ou"`
	Data             json.RawMessage `json:"d"`
	Time             time.Time       `json:"at"`
}

func decodeEvent(id, payload string) (*fleetwatch.Event, error) {
	var w wireEvent
	if err := json.Unmarshal([]byte(payload), &w); err != nil {
		return nil, fmt.Errorf("decode event %s: %w", id, err)
	}
	return &fleetwatch.Event{ID: id, Type: w.Type, OrganizationID: w.OrganizationID,
		OrganizationUUID: w.OrganizationUUID, Data: w.Data, Time: w.Time}, nil
}

// Publish appends e to the stream, which assigns its ID, and publishes it to
// every replica.
func (b *EventBus) Publish(ctx context.Context, e *fleetwatch.Event) error {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	payload, err := json.Marshal(wireEvent{Type: e.Type, OrganizationID: e.OrganizationID,
		OrganizationUUID: e.OrganizationUUID, Data: e.Data, Time: e.Time})
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	id, err := publishScript.Run(ctx, b.rdb, []string{b.stream, b.channel}, b.window, payload).Text()
	if err != nil {
		return fmt.Errorf("publish event: %w", err)
	}
	e.ID = id
	return nil
}

// Subscribe calls fn with every event from now on, in ID order, from the
// bus's one receiving goroutine; fn must not block.
func (b *EventBus) Subscribe(fn func(*fleetwatch.Event)) func() {
	b.mu.Lock()
	defer b.mu.Unlock()
	id := b.nextID
	b.nextID++
	b.subs[id] = fn
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		delete(b.subs, id)
	}
}

// Since returns the events of the stream after afterID, oldest first;
// complete is false when the stream was trimmed past afterID.
func (b *EventBus) Since(ctx context.Context, afterID string) ([]*fleetwatch.Event, bool, error) {
	if _, _, ok := fleetwatch.ParseEventID(afterID); !ok {
		return nil, afterID == "", nil
	}
	msgs, err := b.rdb.XRangeN(ctx, b.stream, "-", "+", 1).Result()
	if err != nil {
		return nil, false, fmt.Errorf("read event window: %w", err)
	}
	complete := len(msgs) == 0 || fleetwatch.CompareEventIDs(msgs[0].ID, afterID) <= 0
	events, err := b.rangeAfter(ctx, afterID)
	if err != nil {
		return nil, false, err
	}
	if b.maxAge > 0 {
		cutoff := time.Now().Add(-b.maxAge)
		kept := events[:0]
		for _, e := range events {
			if e.Time.Before(cutoff) {
				complete = false
				continue
			}
			kept = append(kept, e)
		}
		events = kept
	}
	return events, complete, nil
}

// rangeAfter reads the stream's entries after id.
func (b *EventBus) rangeAfter(ctx context.Context, id string) ([]*fleetwatch.Event, error) {
	msgs, err := b.rdb.XRange(ctx, b.stream, "("+id, "+").Result()
	if err != nil {
		return nil, fmt.Errorf("read event window: %w", err)
	}
	out := make([]*fleetwatch.Event, 0, len(msgs))
	for _, m := range msgs {
		payload, _ := m.Values["e"].(string)
		e, err := decodeEvent(m.ID, payload)
		if err != nil {
			b.logger.Warn("skip undecodable event", "id", m.ID, "err", err)
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// run receives the channel's messages until Close. A (re)subscription
// confirmation after the first means the connection dropped: what was
// published meanwhile is read back from the stream. While Redis does not
// answer, it retries with back-off; the next Receive reconnects and
// subscribes again.
func (b *EventBus) run(ctx context.Context) {
	defer close(b.done)
	first := true
	retry := &retrier{what: "event subscription", logger: b.logger}
	for {
		msg, err := b.ps.Receive(ctx)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if errors.Is(err, redis.ErrClosed) {
				return
			}
			b.subscribed.Store(false)
			if !retry.wait(ctx, err) {
				return
			}
			continue
		}
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind != "subscribe" {
				continue
			}
			retry.ok()
			b.subscribed.Store(true)
			if first {
				first = false
				close(b.ready)
				continue
			}
			b.backfill(ctx)
		case *redis.Message:
			id, payload, ok := strings.Cut(m.Payload, " ")
			if !ok {
				continue
			}
			e, err := decodeEvent(id, payload)
			if err != nil {
				b.logger.Warn("skip undecodable event", "id", id, "err", err)
				continue
			}
			b.deliver(e)
		}
	}
}

// backfill delivers what the stream holds after the last delivered event.
func (b *EventBus) backfill(ctx context.Context) {
	b.mu.Lock()
	last := b.lastID
	b.mu.Unlock()
	if last == "" {
		return
	}
	events, err := b.rangeAfter(ctx, last)
	if err != nil {
		b.logger.Warn("events missed during a reconnect are lost", "err", err)
		return
	}
	for _, e := range events {
		b.deliver(e)
	}
}

// deliver hands e to the subscribers unless it was delivered already (a
// message that overlaps a backfill).
func (b *EventBus) deliver(e *fleetwatch.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.lastID != "" && fleetwatch.CompareEventIDs(e.ID, b.lastID) <= 0 {
		return
	}
	b.lastID = e.ID
	for _, fn := range b.subs {
		fn(e)
	}
}

// Close unsubscribes and stops the receiving goroutine. It does not close
// the Redis client, which belongs to the caller.
func (b *EventBus) Close() error {
	b.cancel()
	err := b.ps.Close()
	<-b.done
	return err
}
