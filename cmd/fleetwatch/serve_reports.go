package main

import (
	"context"
	"sync"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/redisx"
)

// reportCache returns the cache of the reports: shared through Redis when
// configured (so that an invalidation on one replica holds on all), in
// process otherwise; nil when --report-cache-ttl is 0.
func (m *Main) reportCache() fleetwatch.Cache {
	switch {
	case m.Config.ReportCacheTTL == 0:
		return nil
	case m.realtime != nil && m.realtime.rdb != nil:
		return &redisx.Cache{Client: m.realtime.rdb, Namespace: m.redisNS}
	}
	return memory.NewCache(2000)
}

// runReports invalidates cached reports on every event and keeps the daily
// rollups current (on one replica at a time) until ctx ends; the returned
// function waits for both to stop.
func (m *Main) runReports(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	stopWatch := func() {}
	if m.realtime != nil {
		stopWatch = m.Reports.WatchEvents(m.realtime.bus, m.Logger)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.Reports.RunRollups(ctx, m.Store.TryLeadership, m.Logger)
	}()
	return func() {
		wg.Wait()
		stopWatch()
	}
}
