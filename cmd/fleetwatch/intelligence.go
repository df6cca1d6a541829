package main

import (
	"fmt"

	"github.com/fleetwatch/fleetwatch/drupalorg"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// openAnalysis builds the update analysis: the drupal.org client (its
// metrics in reg), the analysis the ingest worker calls, the feed refresher
// and its scheduler.
func (m *Main) openAnalysis(store *sqlstore.Store, reg prometheus.Registerer) error {
	client, err := drupalorg.New(drupalorg.Config{
		FeedURL: m.Config.ReleaseFeedURL, AdvisoryURL: m.Config.AdvisoryURL,
		UserAgent: "Fleetwatch/" + version, Logger: m.Logger, Registerer: reg,
	})
	if err != nil {
		return fmt.Errorf("drupal.org client: %w", err)
	}
	m.Analysis = service.NewAnalysis(store, m.Logger)
	m.Feeds = &service.Feeds{Store: store, Fetcher: client, Analysis: m.Analysis, Interval: m.Config.FeedRefreshInterval}
	m.Scheduler = &service.Scheduler{Feeds: m.Feeds}
	m.Exposures = &service.Exposures{Store: store}
	return nil
}

// newRegistry returns the registry of /metrics with the Go and process
// collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
