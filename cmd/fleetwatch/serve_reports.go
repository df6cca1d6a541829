package main

import (
	"context"
	"sync"

	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
)

// openReports builds the reports service with its cache: shared through
// Redis when configured (so that an invalidation on one replica holds on
// all), in process otherwise.
func (m *Main) openReports(store *sqlstore.Store) *service.Reports {
	m.Reports = &service.Reports{Store: store, Logger: m.Logger, CacheTTL: m.Config.ReportCacheTTL}
	switch {
	case m.Config.ReportCacheTTL == 0:
	case m.realtime != nil && m.realtime.rdb != nil:
		m.Reports.Cache = &redisx.Cache{Client: m.realtime.rdb, Namespace: m.redisNS}
	default:
		m.Reports.Cache = memory.NewCache(2000)
	}
	return m.Reports
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
