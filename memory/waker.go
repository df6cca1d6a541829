package memory

import (
	"context"

	"github.com/fleetwatch/fleetwatch"
)

// Waker wakes the ingest workers of this process. Wake-ups coalesce: many
// pushes while the workers are busy make one wake-up, which is enough since
// a woken worker claims until the queue is empty.
type Waker struct {
	c chan struct{}
}

var _ fleetwatch.Waker = (*Waker)(nil)

// NewWaker returns a Waker.
func NewWaker() *Waker { return &Waker{c: make(chan struct{}, 1)} }

// Wake signals the workers; it never blocks.
func (w *Waker) Wake(context.Context) error {
	select {
	case w.c <- struct{}{}:
	default:
	}
	return nil
}

// Wakeups delivers the signals.
func (w *Waker) Wakeups() <-chan struct{} { return w.c }

// Close does nothing; it exists for the interface.
func (w *Waker) Close() error { return nil }
