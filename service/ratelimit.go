package service

import (
	"fmt"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Limiter counts the attempts of a key (an account at a client address, a
// client address) over a sliding window. An attempt is reserved before it
// is checked, so that concurrent attempts cannot all slip under the limit
// while their checks run; a success gives its reservation back (Release) or
// forgets the key (Reset). Once a key's failed attempts reach the limit it
// is locked out, for Window the first time and twice as long each time
// after (back-off, up to MaxBackoff); a key left alone for MaxBackoff after
// its lockout starts afresh.
type Limiter struct {
	Limit      int
	Window     time.Duration
	MaxBackoff time.Duration

	mu     sync.Mutex
	keys   map[string]*limiterKey
	lastGC time.Time
}

type limiterKey struct {
	attempts []time.Time // reserved and failed, in the window, oldest first
	level    int         // lockouts so far
	until    time.Time   // locked out until
}

// NewLimiter returns a limiter of limit attempts per window, with back-off
// up to maxBackoff (at least window).
func NewLimiter(limit int, window, maxBackoff time.Duration) *Limiter {
	return &Limiter{Limit: limit, Window: window, MaxBackoff: max(window, maxBackoff), keys: map[string]*limiterKey{}}
}

// Reserve counts an attempt of key that is about to be checked. It
// returns 0 when the attempt may go ahead, else how long key must wait (the
// attempt is then not counted).
func (l *Limiter) Reserve(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastGC) > l.Window {
		l.gc(now)
	}
	k := l.entry(key, now)
	if now.Before(k.until) {
		return k.until.Sub(now)
	}
	if len(k.attempts) >= l.Limit {
		// Attempts still being checked fill the window.
		return max(k.attempts[0].Add(l.Window).Sub(now), time.Second)
	}
	k.attempts = append(k.attempts, now)
	return 0
}

// Fail confirms a reserved attempt failed: when the failures reach the
// limit, key is locked out, each lockout twice as long as the last.
func (l *Limiter) Fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := l.entry(key, now)
	if len(k.attempts) < l.Limit {
		return
	}
	d := l.Window
	for range k.level {
		if d >= l.MaxBackoff {
			break
		}
		d *= 2
	}
	k.level++
	k.until = now.Add(min(d, l.MaxBackoff))
	k.attempts = nil
}

// Release gives back one reserved attempt of key: it was not a failure
// (it succeeded, or was never checked).
func (l *Limiter) Release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if k := l.keys[key]; k != nil && len(k.attempts) > 0 {
		k.attempts = k.attempts[:len(k.attempts)-1]
	}
}

// Reset forgets key: its owner proved who they are.
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// entry returns key's state with the attempts that left the window pruned.
func (l *Limiter) entry(key string, now time.Time) *limiterKey {
	k := l.keys[key]
	if k == nil {
		k = &limiterKey{}
		l.keys[key] = k
	}
	i := 0
	for i < len(k.attempts) && now.Sub(k.attempts[i]) >= l.Window {
		i++
	}
	k.attempts = k.attempts[i:]
	return k
}

func (l *Limiter) gc(now time.Time) {
	for key := range l.keys {
		k := l.entry(key, now)
		if len(k.attempts) == 0 && now.Sub(k.until) >= l.MaxBackoff {
			delete(l.keys, key)
		}
	}
	l.lastGC = now
}

// Limits guard every check of a secret a user types (password, TOTP or
// backup code): per account at one client address, so that an attacker
// elsewhere cannot lock the owner out, and per client address, so that one
// address cannot try many accounts. Neither ever refuses an attempt from
// another address.
type Limits struct {
	PerAccount *Limiter // keyed by account and client address
	PerAddress *Limiter
}

// NewLimits returns the limits of sign-in: 5 failures per account and
// address and 30 per address in 5 minutes, backing off up to an hour.
func NewLimits() *Limits {
	return &Limits{
		PerAccount: NewLimiter(5, 5*time.Minute, time.Hour),
		PerAddress: NewLimiter(30, 5*time.Minute, time.Hour),
	}
}

// attempt is one reserved check; exactly one of succeeded, failed and
// cancel ends it.
type attempt struct {
	l                 *Limits
	now               func() time.Time
	accountKey, addrK string
}

// begin reserves an attempt for account (a kind and an id, such as
// "login:ops@example.com") from addr, before the secret is checked, on the
// clock now; ETOOMANYREQUEST with Retry-After when either limit is reached.
func (l *Limits) begin(account, addr string, now func() time.Time) (*attempt, error) {
	a := &attempt{l: l, now: now, accountKey: account + "\x00" + addr, addrK: "addr:" + addr}
	t := now()
	if wait := l.PerAddress.Reserve(a.addrK, t); wait > 0 {
		return nil, tooManyAttempts(wait)
	}
	if wait := l.PerAccount.Reserve(a.accountKey, t); wait > 0 {
		l.PerAddress.Release(a.addrK)
		return nil, tooManyAttempts(wait)
	}
	return a, nil
}

func tooManyAttempts(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &fleetwatch.Error{Code: fleetwatch.ETOOMANYREQUEST, RetryAfter: secs,
		Message: fmt.Sprintf("Too many failed attempts; try again in %d seconds.", secs)}
}

// succeeded ends an attempt whose secret was right.
func (a *attempt) succeeded() {
	a.l.PerAccount.Reset(a.accountKey)
	a.l.PerAddress.Release(a.addrK)
}

// failed ends an attempt whose secret was wrong.
func (a *attempt) failed() {
	now := a.now()
	a.l.PerAccount.Fail(a.accountKey, now)
	a.l.PerAddress.Fail(a.addrK, now)
}

// cancel ends an attempt that was not checked (the server was busy).
func (a *attempt) cancel() {
	a.l.PerAccount.Release(a.accountKey)
	a.l.PerAddress.Release(a.addrK)
}

// end ends an attempt by the outcome of its check: ok, wrong, or an error
// (not counted against the caller).
func (a *attempt) end(ok bool, err error) {
	switch {
	case err != nil:
		a.cancel()
	case ok:
		a.succeeded()
	default:
		a.failed()
	}
}
