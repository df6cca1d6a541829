package main

import (
	"context"
	"fmt"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/notify"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/redis/go-redis/v9"
)

// realtime is the real-time part of a Main: the event bus (Redis when
// configured, else in-process), the events, SLA and notifier services.
type realtime struct {
	bus      fleetwatch.EventBus
	rdb      *redis.Client
	Events   *service.Events
	SLA      *service.SLA
	Notifier *service.Notifier
	done     chan struct{}
}

// openRealtime builds the event bus and the services on it. With Redis, the
// bus's stream and channel are shared by every replica.
func (m *Main) openRealtime(ctx context.Context, store *sqlstore.Store, activity *service.Activity, ready map[string]func(context.Context) error) error {
	rt := &realtime{}
	m.realtime = rt
	if m.Config.RedisURL != "" {
		opts, err := redis.ParseURL(m.Config.RedisURL)
		if err != nil {
			return fmt.Errorf("redis url: %w", err)
		}
		redisx.QuietClientLogs(m.Logger)
		rt.rdb = redis.NewClient(opts)
		// Redis down at start does not keep the server from listening:
		// the bus subscribes in the background, with back-off, and
		// /readyz says "redis unreachable" until it has.
		bus, err := redisx.StartEventBus(rt.rdb, redisx.EventBusOptions{Namespace: m.redisNS, Logger: m.Logger})
		if err != nil {
			return fmt.Errorf("connect event bus to redis: %w", err)
		}
		rt.bus = bus
		ready["redis"] = bus.Ping
	} else {
		rt.bus = memory.NewEventBus(memory.DefaultEventWindow)
	}
	rt.Events = service.NewEvents(rt.bus, store, m.Logger)
	rt.SLA = &service.SLA{Store: store, Activity: activity}
	rt.Notifier = &service.Notifier{Store: store, Events: rt.Events, Logger: m.Logger, PublicURL: m.Config.PublicURL, Secrets: m.Auth.WebhookSecrets(),
		Webhooks: &notify.Webhook{UserAgent: "Fleetwatch/" + version, AllowPrivate: m.Config.WebhookAllowPrivate}, DigestHour: 8}
	if m.Config.SMTPURL != "" {
		mailer, err := notify.ParseSMTPURL(m.Config.SMTPURL)
		if err != nil {
			return err
		}
		rt.Notifier.Mailer = mailer
	}
	return nil
}

// start runs the notifier until ctx ends.
func (rt *realtime) start(ctx context.Context) {
	rt.done = make(chan struct{})
	go func() {
		defer close(rt.done)
		_ = rt.Notifier.Run(ctx)
	}()
}

// stopStreams ends the event streams, so that a graceful shutdown does not
// wait for them; clients reconnect to another replica with Last-Event-ID.
func (rt *realtime) stopStreams() { rt.Events.Close() }

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
