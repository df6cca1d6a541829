package fleetwatch

import (
	"context"
	"time"
)

// Cache keeps computed answers (reports) for a while. Invalidation is by
// generation: every change to an organization's data bumps its generation,
// and answers are keyed by the generations they were computed from, so a
// stale answer is simply never asked for again and expires.
type Cache interface {
	// Get returns the value of key; ok is false on a miss.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Generation returns the current generation of a scope ("org:42",
	// "fleet"); 0 when it was never bumped.
	Generation(ctx context.Context, scope string) (int64, error)
	// Bump starts a new generation of each scope.
	Bump(ctx context.Context, scopes ...string) error
}
