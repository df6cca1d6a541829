package redisx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/redis/go-redis/v9"
)

// Group of the ingest wake-ups; the stream is <namespace>:ingest.
const (
	DefaultGroup = "fleetwatch-workers"
	// streamMaxLen bounds the stream; entries are acknowledged at once and
	// carry no data, so old ones are worthless.
	streamMaxLen = 10000
)

// Waker wakes ingest workers through a Redis Streams consumer group: Wake
// adds an entry, and each entry goes to one replica's consumer, which
// acknowledges it and wakes its workers. Wake-ups coalesce: while one
// XADD is in flight, further Wakes of this process ride along with it.
type Waker struct {
	rdb      *redis.Client
	stream   string
	group    string
	consumer string
	logger   *slog.Logger

	local   chan struct{} // wakes this process's workers
	pending chan struct{} // a Wake waits to be published
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

var _ fleetwatch.Waker = (*Waker)(nil)

// NewWaker connects to Redis at url (redis://…), creates the consumer group
// if needed and starts consuming.
func NewWaker(ctx context.Context, url string, ns Namespace, logger *slog.Logger) (*Waker, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis url: %w", err)
	}
	if ns.IsZero() {
		return nil, errors.New("waker: no namespace")
	}
	stream := ns.Name("ingest")
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rdb := redis.NewClient(opts)
	// Redis down now is no reason not to start: workers poll the database
	// meanwhile, and the consumer creates the group once Redis answers.
	if err := rdb.XGroupCreateMkStream(ctx, stream, DefaultGroup, "$").Err(); err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		logger.Warn("redis: create consumer group; retrying in the background", "err", err)
	}
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	w := &Waker{rdb: rdb, stream: stream, group: DefaultGroup, logger: logger,
		consumer: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b)),
		local:    make(chan struct{}, 1), pending: make(chan struct{}, 1)}
	runCtx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	w.wg.Add(2)
	go w.publish(runCtx)
	go w.consume(runCtx)
	return w, nil
}

// Ping checks that Redis answers (readiness).
func (w *Waker) Ping(ctx context.Context) error { return w.rdb.Ping(ctx).Err() }

// Wake asks for an entry on the stream; it never blocks.
func (w *Waker) Wake(context.Context) error {
	select {
	case w.pending <- struct{}{}:
	default: // one is pending already
	}
	return nil
}

// Wakeups delivers this process's wake-ups.
func (w *Waker) Wakeups() <-chan struct{} { return w.local }

// Close stops consuming and publishing and closes the client.
func (w *Waker) Close() error {
	w.cancel()
	w.wg.Wait()
	return w.rdb.Close()
}

func (w *Waker) publish(ctx context.Context) {
	defer w.wg.Done()
	retry := &retrier{what: "ingest wake-ups (publish)", logger: w.logger}
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.pending:
		}
		err := w.rdb.XAdd(ctx, &redis.XAddArgs{Stream: w.stream, MaxLen: streamMaxLen, Approx: true, Values: []any{"w", "1"}}).Err()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			// This replica's workers take it; the others' poll finds it.
			w.wakeLocal()
			if !retry.wait(ctx, err) {
				return
			}
		default:
			retry.ok()
		}
	}
}

func (w *Waker) consume(ctx context.Context) {
	defer w.wg.Done()
	retry := &retrier{what: "ingest wake-ups (consume)", logger: w.logger}
	for ctx.Err() == nil {
		res, err := w.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: w.group, Consumer: w.consumer, Streams: []string{w.stream, ">"}, Count: 100, Block: 2 * time.Second,
		}).Result()
		switch {
		case errors.Is(err, redis.Nil):
			retry.ok()
			continue
		case err != nil:
			if ctx.Err() != nil {
				return
			}
			if strings.HasPrefix(err.Error(), "NOGROUP") {
				// Redis restarted without its data: the group is gone.
				if err := w.rdb.XGroupCreateMkStream(ctx, w.stream, w.group, "$").Err(); err == nil || strings.HasPrefix(err.Error(), "BUSYGROUP") {
					continue
				}
			}
			if !retry.wait(ctx, err) {
				return
			}
			continue
		}
		retry.ok()
		var ids []string
		for _, s := range res {
			for _, m := range s.Messages {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) > 0 {
			if err := w.rdb.XAck(ctx, w.stream, w.group, ids...).Err(); err != nil && ctx.Err() == nil {
				w.logger.Warn("redis: acknowledge wake-ups", "err", err)
			}
			w.wakeLocal()
		}
	}
}

func (w *Waker) wakeLocal() {
	select {
	case w.local <- struct{}{}:
	default:
	}
}
