package redisx

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/redis/go-redis/v9"
)

// Bounds of the back-off while Redis does not answer.
const (
	retryMin = 100 * time.Millisecond
	retryMax = 10 * time.Second
)

// retrier spaces out one loop's retries while Redis fails — 100 ms,
// doubling to 10 s, with jitter so that replicas do not retry in step —
// and logs an outage when it starts and when it ends, not at each retry.
type retrier struct {
	what     string // "event subscription", …
	logger   *slog.Logger
	failures int
}

// wait logs a failure and sleeps for the next delay; false when ctx ended.
func (r *retrier) wait(ctx context.Context, err error) bool {
	r.failures++
	d := retryMin << min(r.failures-1, 10)
	d = min(d, retryMax)
	d = d/2 + rand.N(d/2+1)
	if r.failures == 1 {
		r.logger.Warn("redis unreachable; retrying with back-off", "for", r.what, "err", err)
	} else {
		r.logger.Debug("redis still unreachable", "for", r.what, "attempt", r.failures, "retry_in", d, "err", err)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// ok ends an outage, if there was one.
func (r *retrier) ok() {
	if r.failures > 0 {
		r.logger.Info("redis reachable again", "for", r.what, "attempts", r.failures)
		r.failures = 0
	}
}

// quietLogger takes the Redis client's own log lines (a failed dial on
// every retry of its pool) to debug level: the retriers report an outage
// once, when it starts and when it ends.
type quietLogger struct{ logger *slog.Logger }

func (q quietLogger) Printf(ctx context.Context, format string, v ...any) {
	q.logger.DebugContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}

// QuietClientLogs sends the Redis client library's log lines to logger at
// debug level, for the whole process.
func QuietClientLogs(logger *slog.Logger) { redis.SetLogger(quietLogger{logger}) }
