package redisx

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/redis/go-redis/v9"
)

// Cache is the fleetwatch.Cache shared by every replica through Redis.
type Cache struct {
	Client *redis.Client
	// Namespace names the keys: <namespace>:cache:<key> and
	// <namespace>:gen:<scope>.
	Namespace Namespace
}

var _ fleetwatch.Cache = (*Cache)(nil)

// Get implements fleetwatch.Cache.
func (c *Cache) Get(ctx context.Context, key string) ([]byte, bool, error) {
	b, err := c.Client.Get(ctx, c.Namespace.Name("cache", key)).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("redis cache get: %w", err)
	}
	return b, true, nil
}

// Set implements fleetwatch.Cache.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := c.Client.Set(ctx, c.Namespace.Name("cache", key), value, ttl).Err(); err != nil {
		return fmt.Errorf("redis cache set: %w", err)
	}
	return nil
}

// Generation implements fleetwatch.Cache.
func (c *Cache) Generation(ctx context.Context, scope string) (int64, error) {
	n, err := c.Client.Get(ctx, c.Namespace.Name("gen", scope)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("redis cache generation: %w", err)
	}
	return n, nil
}

// Bump implements fleetwatch.Cache.
func (c *Cache) Bump(ctx context.Context, scopes ...string) error {
	pipe := c.Client.Pipeline()
	for _, s := range scopes {
		pipe.Incr(ctx, c.Namespace.Name("gen", s))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redis cache bump: %w", err)
	}
	return nil
}
