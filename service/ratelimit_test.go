package service

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

func TestLimiter(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	t.Run("Limiter", func(t *testing.T) {
		l := NewLimiter(3, time.Minute, 10*time.Minute)
		for i := range 3 {
			if w := l.Reserve("k", t0); w != 0 {
				t.Fatalf("attempt %d waits %v", i, w)
			}
		}
		// Three attempts are being checked: a fourth waits, before any failed.
		if w := l.Reserve("k", t0); w == 0 {
			t.Fatal("a fourth concurrent attempt was let through")
		}
		if w := l.Reserve("other", t0); w != 0 {
			t.Errorf("another key waits %v", w)
		}
		for range 3 {
			l.Fail("k", t0)
		}
		// Back-off: locked for the window, then twice as long each time.
		now := t0
		for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute} {
			if i > 0 {
				for range 3 {
					if w := l.Reserve("k", now); w != 0 {
						t.Fatalf("lockout %d: an attempt after the lockout waits %v", i, w)
					}
					l.Fail("k", now)
				}
			}
			if w := l.Reserve("k", now); w != want {
				t.Errorf("lockout %d lasts %v, want %v", i+1, w, want)
			}
			now = now.Add(want)
		}
		// A success forgets the key.
		l.Reset("k")
		if w := l.Reserve("k", t0.Add(time.Hour/2)); w != 0 {
			t.Errorf("after reset: wait %v", w)
		}
		// A released attempt is not counted.
		l2 := NewLimiter(1, time.Minute, time.Minute)
		l2.Reserve("a", t0)
		l2.Release("a")
		if w := l2.Reserve("a", t0); w != 0 {
			t.Errorf("after release: wait %v", w)
		}
		// A key left alone long enough starts afresh.
		l2.Fail("a", t0)
		if w := l2.Reserve("a", t0.Add(2*time.Minute)); w != 0 {
			t.Errorf("after the lockout: wait %v", w)
		}
	})
	t.Run("PerAccountAndAddress", func(t *testing.T) {
		now := t0
		clock := func() time.Time { return now }
		l := NewLimits()
		const attacker, owner = "203.0.113.9", "198.51.100.7"
		for i := range 5 {
			a, err := l.begin("login:root@example.com", attacker, clock)
			if err != nil {
				t.Fatalf("guess %d: %v", i, err)
			}
			a.failed()
		}
		_, err := l.begin("login:root@example.com", attacker, clock)
		if fe, ok := err.(*fleetwatch.Error); !ok || fe.Code != fleetwatch.ETOOMANYREQUEST || fe.RetryAfter != 300 {
			t.Fatalf("sixth guess: %v, want too_many_requests with Retry-After 300", err)
		}
		// The owner elsewhere is not locked out of their account.
		a, err := l.begin("login:root@example.com", owner, clock)
		if err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		a.succeeded()
		// An address that failed against many accounts is limited, other addresses are not.
		for i := range 30 {
			a, err := l.begin("login:user"+itoa(i)+"@example.com", "192.0.2.1", clock)
			if err != nil {
				t.Fatalf("account %d: %v", i, err)
			}
			a.failed()
		}
		if _, err := l.begin("login:another@example.com", "192.0.2.1", clock); fleetwatch.ErrorCode(err) != fleetwatch.ETOOMANYREQUEST {
			t.Errorf("31st failure of one address: %v, want too_many_requests", err)
		}
		if a, err := l.begin("login:another@example.com", owner, clock); err != nil {
			t.Errorf("the per-address limit blocked another address: %v", err)
		} else {
			a.succeeded()
		}
		// Successes from one address (an office behind NAT) do not add up.
		for i := range 100 {
			a, err := l.begin("login:staff@example.com", "192.0.2.50", clock)
			if err != nil {
				t.Fatalf("success %d: %v", i, err)
			}
			a.succeeded()
		}
		// The lockout backs off: 5 minutes, then 10.
		now = now.Add(5 * time.Minute)
		for range 5 {
			a, err := l.begin("login:root@example.com", attacker, clock)
			if err != nil {
				t.Fatal(err)
			}
			a.failed()
		}
		if _, err := l.begin("login:root@example.com", attacker, clock); err == nil || err.(*fleetwatch.Error).RetryAfter != 600 {
			t.Errorf("second lockout: %v, want Retry-After 600", err)
		}
	})
	t.Run("Concurrent", func(t *testing.T) {
		l := NewLimits()
		clock := func() time.Time { return t0 }
		var mu sync.Mutex
		var began []*attempt
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if a, err := l.begin("login:root@example.com", "203.0.113.9", clock); err == nil {
					mu.Lock()
					began = append(began, a)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(began) != 5 {
			t.Errorf("%d of 20 concurrent attempts began, want 5", len(began))
		}
	})
}

func itoa(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

func TestPasswords_Bounded(t *testing.T) {
	p, err := NewPasswords(4, 1)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := p.Hash(context.Background(), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	// Fill the queue as checks running and waiting would.
	for range cap(p.queue) {
		p.queue <- struct{}{}
	}
	_, err = p.Check(context.Background(), hash, "correct horse")
	if fe, ok := err.(*fleetwatch.Error); !ok || fe.Code != fleetwatch.ETOOMANYREQUEST || fe.RetryAfter != 1 {
		t.Fatalf("check with the queue full: %v, want too_many_requests with Retry-After 1", err)
	}
	if n := p.Compared(); n != 0 {
		t.Errorf("%d comparisons ran with the queue full", n)
	}
	if cap(p.queue) != 1+2*runtimeProcs() {
		t.Errorf("queue of %d, want 1 running + 2×GOMAXPROCS waiting", cap(p.queue))
	}
	<-p.queue
	if ok, err := p.Check(context.Background(), hash, "correct horse"); err != nil || !ok {
		t.Errorf("check with room: %v %v", ok, err)
	}
	// A waiting check gives its place back when its caller gives up.
	for len(p.queue) > 0 {
		<-p.queue
	}
	for range cap(p.queue) - 1 {
		p.queue <- struct{}{}
	}
	p.sem <- struct{}{} // a hash is running
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Check(ctx, hash, "correct horse"); err != context.Canceled {
		t.Errorf("cancelled check: %v", err)
	}
	if len(p.queue) != cap(p.queue)-1 {
		t.Errorf("the cancelled check kept its place in the queue")
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
