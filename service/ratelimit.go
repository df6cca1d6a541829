package service

import (
	"sync"
	"time"
)

// Limiter counts failures per key (an account, a client address) over a
// sliding window and refuses further attempts once a key reaches its limit,
// until its oldest failure leaves the window. The window is short so that an
// attacker cannot lock a real user out for long.
type Limiter struct {
	Limit  int
	Window time.Duration

	mu       sync.Mutex
	failures map[string][]time.Time
	lastGC   time.Time
}

// NewLimiter returns a limiter of limit failures per window.
func NewLimiter(limit int, window time.Duration) *Limiter {
	return &Limiter{Limit: limit, Window: window, failures: map[string][]time.Time{}}
}

// Wait returns how long key must wait before its next attempt; 0 means go.
func (l *Limiter) Wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	recent := l.prune(key, now)
	if len(recent) < l.Limit {
		return 0
	}
	return recent[len(recent)-l.Limit].Add(l.Window).Sub(now)
}

// Fail records a failed attempt of key.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[key] = append(l.prune(key, now), now)
	if now.Sub(l.lastGC) > l.Window {
		l.gc(now)
	}
}

// Reset forgets the failures of key (after a success).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

func (l *Limiter) prune(key string, now time.Time) []time.Time {
	list := l.failures[key]
	i := 0
	for i < len(list) && now.Sub(list[i]) >= l.Window {
		i++
	}
	list = list[i:]
	if len(list) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = list
	return list
}

func (l *Limiter) gc(now time.Time) {
	for key := range l.failures {
		l.prune(key, now)
	}
	l.lastGC = now
}
