package service

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// InboxStore is where an Inbox writes: fleetwatch.IngestStore's
// EnqueueAuditLogs.
type InboxStore interface {
	EnqueueAuditLogs(ctx context.Context, logs []*fleetwatch.AuditLog) error
}

// Inbox batches the audit log inserts of concurrent pushes: while one batch
// commits, the next gathers, so that a busy server pays one commit (one
// fsync) for many pushes instead of one each. A push returns only once its
// batch is committed.
type Inbox struct {
	store    InboxStore
	maxBatch int
	reqs     chan *inboxReq
	wg       sync.WaitGroup
	mu       sync.RWMutex
	closed   bool
}

type inboxReq struct {
	log  *fleetwatch.AuditLog
	done chan error
}

// errInboxClosed answers pushes that arrive during shutdown.
var errInboxClosed = fleetwatch.Errorf(fleetwatch.EINTERNAL, "The server is shutting down.")

// NewInbox starts writers goroutines (default 4) that write batches of up
// to maxBatch (default 64) logs.
func NewInbox(store InboxStore, writers, maxBatch int) *Inbox {
	if writers < 1 {
		writers = 4
	}
	if maxBatch < 1 {
		maxBatch = 64
	}
	in := &Inbox{store: store, maxBatch: maxBatch, reqs: make(chan *inboxReq, maxBatch*writers)}
	for range writers {
		in.wg.Add(1)
		go in.write()
	}
	return in
}

// Add stores l, batched with concurrent calls, and fills it like
// EnqueueAuditLogs.
func (in *Inbox) Add(ctx context.Context, l *fleetwatch.AuditLog) error {
	r := &inboxReq{log: l, done: make(chan error, 1)}
	in.mu.RLock()
	if in.closed {
		in.mu.RUnlock()
		return errInboxClosed
	}
	select {
	case in.reqs <- r:
	case <-ctx.Done():
		in.mu.RUnlock()
		return ctx.Err()
	}
	in.mu.RUnlock()
	// Once queued, the batch is written even if the client leaves: the
	// answer must never say "not stored" about a stored payload.
	return <-r.done
}

// Close writes what is queued and stops the writers.
func (in *Inbox) Close() {
	in.mu.Lock()
	if !in.closed {
		in.closed = true
		close(in.reqs)
	}
	in.mu.Unlock()
	in.wg.Wait()
}

func (in *Inbox) write() {
	defer in.wg.Done()
	batch := make([]*inboxReq, 0, in.maxBatch)
	for r := range in.reqs {
		batch = append(batch[:0], r)
	gather:
		for len(batch) < in.maxBatch {
			select {
			case r, ok := <-in.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		in.flush(batch)
	}
}

func (in *Inbox) flush(batch []*inboxReq) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	logs := make([]*fleetwatch.AuditLog, len(batch))
	for i, r := range batch {
		logs[i] = r.log
	}
	err := in.store.EnqueueAuditLogs(ctx, logs)
	if err != nil && len(batch) > 1 && !errors.Is(err, context.DeadlineExceeded) {
		// One bad row (its site deleted meanwhile) must not fail the
		// others: write them one by one.
		for _, r := range batch {
			r.done <- in.store.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{r.log})
		}
		return
	}
	for _, r := range batch {
		r.done <- err
	}
}
