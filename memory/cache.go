package memory

import (
	"context"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Cache is the in-process fleetwatch.Cache: a bounded map with expiry.
type Cache struct {
	// MaxEntries bounds the map; the oldest-expiring entries go first.
	MaxEntries int

	mu          sync.Mutex
	entries     map[string]cacheEntry
	generations map[string]int64
}

type cacheEntry struct {
	value   []byte
	expires time.Time
}

var _ fleetwatch.Cache = (*Cache)(nil)

// NewCache returns a cache of at most maxEntries entries.
func NewCache(maxEntries int) *Cache {
	return &Cache{MaxEntries: maxEntries, entries: map[string]cacheEntry{}, generations: map[string]int64{}}
}

// Get implements fleetwatch.Cache.
func (c *Cache) Get(_ context.Context, key string) ([]byte, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || time.Now().After(e.expires) {
		delete(c.entries, key)
		return nil, false, nil
	}
	return e.value, true, nil
}

// Set implements fleetwatch.Cache.
func (c *Cache) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if len(c.entries) >= c.MaxEntries {
		c.evict(now)
	}
	c.entries[key] = cacheEntry{value: value, expires: now.Add(ttl)}
	return nil
}

// evict drops expired entries, and if that is not enough, the entries that
// expire first, down to three quarters of the bound.
func (c *Cache) evict(now time.Time) {
	for k, e := range c.entries {
		if now.After(e.expires) {
			delete(c.entries, k)
		}
	}
	for len(c.entries) > c.MaxEntries*3/4 {
		var oldest string
		var at time.Time
		for k, e := range c.entries {
			if oldest == "" || e.expires.Before(at) {
				oldest, at = k, e.expires
			}
		}
		delete(c.entries, oldest)
	}
}

// Generation implements fleetwatch.Cache.
func (c *Cache) Generation(_ context.Context, scope string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.generations[scope], nil
}

// Bump implements fleetwatch.Cache.
func (c *Cache) Bump(_ context.Context, scopes ...string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range scopes {
		c.generations[s]++
	}
	return nil
}
