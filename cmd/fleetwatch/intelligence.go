package main

import (
	"fmt"

	"github.com/fleetwatch/fleetwatch/drupalorg"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// feedFetcher returns the drupal.org client of the release feeds and
// advisories, its metrics in reg.
func (m *Main) feedFetcher(reg prometheus.Registerer) (*drupalorg.Client, error) {
	client, err := drupalorg.New(drupalorg.Config{
		FeedURL: m.Config.ReleaseFeedURL, AdvisoryURL: m.Config.AdvisoryURL,
		UserAgent: "Fleetwatch/" + version, Logger: m.Logger, Registerer: reg,
	})
	if err != nil {
		return nil, fmt.Errorf("drupal.org client: %w", err)
	}
	return client, nil
}

// newRegistry returns the registry of /metrics with the Go and process
// collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}
