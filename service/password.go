package service

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/fleetwatch/fleetwatch"
	"golang.org/x/crypto/bcrypt"
)

// Passwords hashes and checks passwords with bcrypt, running at most a few
// hashes at once so that a login storm cannot starve the rest of the server
// (ingestion above all) of CPU. At most 2×GOMAXPROCS more wait their turn;
// beyond that a check is refused at once (ETOOMANYREQUEST, Retry-After 1)
// rather than queued, so that a burst cannot make every sign-in wait for
// it.
type Passwords struct {
	cost int
	sem  chan struct{}
	// queue holds a token for every hash running or waiting.
	queue chan struct{}
	// compared counts bcrypt comparisons (Compared).
	compared atomic.Int64
	// dummy is a hash compared against when the user is unknown, so that an
	// unknown e-mail takes as long as a wrong password.
	dummy []byte
}

// NewPasswords returns a hasher of the given bcrypt cost running at most
// concurrency hashes at once.
func NewPasswords(cost, concurrency int) (*Passwords, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d out of range %d-%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if concurrency < 1 {
		concurrency = 1
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("fleetwatch-timing-equalizer"), cost)
	if err != nil {
		return nil, fmt.Errorf("hash dummy password: %w", err)
	}
	waiting := 2 * runtime.GOMAXPROCS(0)
	return &Passwords{cost: cost, sem: make(chan struct{}, concurrency), queue: make(chan struct{}, concurrency+waiting), dummy: dummy}, nil
}

// errPasswordsBusy answers a password check that found the queue full.
var errPasswordsBusy = &fleetwatch.Error{Code: fleetwatch.ETOOMANYREQUEST, RetryAfter: 1,
	Message: "Too many sign-ins at once; try again in a second."}

func (p *Passwords) acquire(ctx context.Context) error {
	select {
	case p.queue <- struct{}{}:
	default:
		return errPasswordsBusy
	}
	select {
	case p.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		<-p.queue
		return ctx.Err()
	}
}

func (p *Passwords) release() {
	<-p.sem
	<-p.queue
}

// Compared returns how many passwords were compared since the start.
func (p *Passwords) Compared() int64 { return p.compared.Load() }

// Hash returns the bcrypt hash of password.
func (p *Passwords) Hash(ctx context.Context, password string) (string, error) {
	if err := p.acquire(ctx); err != nil {
		return "", err
	}
	defer p.release()
	b, err := bcrypt.GenerateFromPassword([]byte(password), p.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

// Check reports whether password matches hash. An empty hash (unknown user)
// is compared against a dummy so that the time taken does not tell.
func (p *Passwords) Check(ctx context.Context, hash, password string) (bool, error) {
	if err := p.acquire(ctx); err != nil {
		return false, err
	}
	defer p.release()
	p.compared.Add(1)
	h := []byte(hash)
	if hash == "" {
		h = p.dummy
	}
	err := bcrypt.CompareHashAndPassword(h, []byte(password))
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) || hash == "" {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("compare password: %w", err)
	}
	return true, nil
}
