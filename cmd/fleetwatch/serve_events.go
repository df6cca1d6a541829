package main

import (
	"context"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/redis/go-redis/v9"
)

// realtime is the real-time part of a Main: the event bus (Redis when
// configured, else in-process) and the notifier running on it.
type realtime struct {
	bus  fleetwatch.EventBus
	rdb  *redis.Client
	done chan struct{}
}

// openRealtime builds the event bus. With Redis, the bus's stream and
// channel are shared by every replica.
func (m *Main) openRealtime(ready map[string]func(context.Context) error) error {
	rt := &realtime{}
	m.realtime = rt
	if m.Config.RedisURL == "" {
		rt.bus = memory.NewEventBus(memory.DefaultEventWindow)
		return nil
	}
	opts, err := redis.ParseURL(m.Config.RedisURL)
	if err != nil {
		return fmt.Errorf("redis url: %w", err)
	}
	redisx.QuietClientLogs(m.Logger)
	rt.rdb = redis.NewClient(opts)
	// Redis down at start does not keep the server from listening: the bus
	// subscribes in the background, with back-off, and /readyz says "redis
	// unreachable" until it has.
	bus, err := redisx.StartEventBus(rt.rdb, redisx.EventBusOptions{Namespace: m.redisNS, Logger: m.Logger})
	if err != nil {
		return fmt.Errorf("connect event bus to redis: %w", err)
	}
	rt.bus = bus
	ready["redis"] = bus.Ping
	return nil
}

// start runs the notifier until ctx ends.
func (rt *realtime) start(ctx context.Context, n *service.Notifier) {
	rt.done = make(chan struct{})
	go func() {
		defer close(rt.done)
		_ = n.Run(ctx)
	}()
}

// wait blocks until the notifier has stopped (after start's ctx ended).
func (rt *realtime) wait() {
	if rt.done != nil {
		<-rt.done
	}
}

// close releases the bus and the Redis client.
func (rt *realtime) close() {
	if rt.bus != nil {
		_ = rt.bus.Close()
	}
	if rt.rdb != nil {
		_ = rt.rdb.Close()
	}
}
