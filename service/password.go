package service

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// Passwords hashes and checks passwords with bcrypt, running at most a few
// hashes at once so that a login storm cannot starve the rest of the server
// (ingestion above all) of CPU.
type Passwords struct {
	cost int
	sem  chan struct{}
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
	return &Passwords{cost: cost, sem: make(chan struct{}, concurrency), dummy: dummy}, nil
}

func (p *Passwords) acquire(ctx context.Context) error {
	select {
	case p.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Hash returns the bcrypt hash of password.
func (p *Passwords) Hash(ctx context.Context, password string) (string, error) {
	if err := p.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-p.sem }()
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
	defer func() { <-p.sem }()
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
