package main

import (
	"context"
	"log/slog"
	"runtime"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/prometheus/client_golang/prometheus"
)

// opsCollector exposes, at each scrape, what an operator alerts on and the
// process cannot count itself: the queue and the fleet as the database
// holds them (every replica reports the same values: aggregate them with
// max, not sum) and the readiness checks of /readyz. docs/operations.md
// lists every metric.
type opsCollector struct {
	store  *sqlstore.Store
	ready  map[string]func(context.Context) error
	logger *slog.Logger

	payloads, oldestQueued, feeds, feedsLastFetch, deliveries *prometheus.Desc
	exposures, overdue, storeOK, ready1, readyCheck, build    *prometheus.Desc
}

func newOpsCollector(store *sqlstore.Store, ready map[string]func(context.Context) error, logger *slog.Logger) *opsCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &opsCollector{store: store, ready: ready, logger: logger,
		payloads:       d("fleetwatch_ingest_payloads", "Pushed payloads by status: queued (waiting for a worker), processing (claimed), failed (rejected for good).", "status"),
		oldestQueued:   d("fleetwatch_ingest_oldest_queued_age_seconds", "Age of the oldest queued payload; 0 when the queue is empty."),
		feeds:          d("fleetwatch_release_feeds", "Release-history feeds by the status of their last fetch (ok, not_found, invalid, error, pending).", "status"),
		feedsLastFetch: d("fleetwatch_release_feeds_last_fetch_timestamp_seconds", "When any release-history feed was last fetched or confirmed unchanged (Unix time); absent before the first."),
		deliveries:     d("fleetwatch_notification_deliveries", "Notification deliveries not sent, by channel and status (pending: to be tried again; failed: given up).", "channel", "status"),
		exposures:      d("fleetwatch_exposures_open", "Open exposures (a site runs a version with a security update), by severity.", "severity"),
		overdue:        d("fleetwatch_exposures_overdue", "Open exposures past their SLA due date (accepted risks included)."),
		storeOK:        d("fleetwatch_store_gauges_ok", "1 when the gauges read from the database at this scrape could be read, else 0 (the database gauges are then absent)."),
		ready1:         d("fleetwatch_ready", "1 when every readiness check passes (what /readyz answers 200 for), else 0."),
		readyCheck:     d("fleetwatch_ready_check", "1 when the readiness check passes, by check (database, redis), else 0.", "check"),
		build:          d("fleetwatch_build_info", "Always 1, labelled with the version and the Go version.", "version", "goversion"),
	}
}

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.payloads, c.oldestQueued, c.feeds, c.feedsLastFetch, c.deliveries,
		c.exposures, c.overdue, c.storeOK, c.ready1, c.readyCheck, c.build} {
		ch <- d
	}
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(c.build, 1, version, runtime.Version())
	ready := 1.0
	for name, check := range c.ready {
		ok := 1.0
		if err := check(ctx); err != nil {
			ok, ready = 0, 0
		}
		gauge(c.readyCheck, ok, name)
	}
	gauge(c.ready1, ready)

	now := time.Now()
	g, err := c.store.ReadOpsGauges(ctx, now)
	if err != nil {
		c.logger.Warn("metrics: reading the gauges from the database failed", "err", err)
		gauge(c.storeOK, 0)
		return
	}
	gauge(c.storeOK, 1)
	for _, st := range []string{fleetwatch.AuditQueued, fleetwatch.AuditProcessing, fleetwatch.AuditFailed} {
		gauge(c.payloads, float64(g.Payloads[st]), st)
	}
	age := 0.0
	if g.OldestQueued != nil {
		age = max(0, now.Sub(*g.OldestQueued).Seconds())
	}
	gauge(c.oldestQueued, age)
	for st, n := range g.Feeds {
		gauge(c.feeds, float64(n), st)
	}
	if g.FeedsLastFetched != nil {
		gauge(c.feedsLastFetch, float64(g.FeedsLastFetched.Unix()))
	}
	for _, ch := range []string{"email", "webhook"} {
		for _, st := range []string{"pending", "failed"} {
			gauge(c.deliveries, float64(g.Deliveries[[2]string{ch, st}]), ch, st)
		}
	}
	for _, sev := range []string{"highly_critical", "critical", "moderately_critical", "less_critical", "not_critical"} {
		gauge(c.exposures, float64(g.OpenExposures[sev]), sev)
	}
	gauge(c.overdue, float64(g.OverdueExposures))
}

// ingestMetrics count what the workers of this process applied and how long
// each payload waited from its 202 until it was applied.
type ingestMetrics struct {
	applied *prometheus.CounterVec
	latency *prometheus.HistogramVec
}

func newIngestMetrics(reg prometheus.Registerer) *ingestMetrics {
	m := &ingestMetrics{
		applied: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fleetwatch_ingest_applied_total", Help: "Payloads applied by this process's workers, by kind.",
		}, []string{"kind"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fleetwatch_ingest_processing_seconds",
			Help:    "Time from a payload's 202 to its being applied, by kind.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900},
		}, []string{"kind"}),
	}
	for _, k := range []string{fleetwatch.KindInventory, fleetwatch.KindComposerLock, fleetwatch.KindPatchRun} {
		m.applied.WithLabelValues(k)
		m.latency.WithLabelValues(k)
	}
	reg.MustRegister(m.applied, m.latency)
	return m
}

// observe is the worker's OnApplied.
func (m *ingestMetrics) observe(l *fleetwatch.AuditLog) {
	m.applied.WithLabelValues(l.Kind).Inc()
	if !l.CreatedAt.IsZero() {
		m.latency.WithLabelValues(l.Kind).Observe(max(0, time.Since(l.CreatedAt).Seconds()))
	}
}

// openOpsMetrics registers the operator's metrics and hooks the worker.
func (m *Main) openOpsMetrics(reg *prometheus.Registry, ready map[string]func(context.Context) error) {
	reg.MustRegister(newOpsCollector(m.Store, ready, m.Logger))
	platforms := m.Platforms
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "fleetwatch_platform_data_refresh_failures_total",
			Help: "Refreshes of the PHP and Drupal core end-of-life data from --platform-data-url that failed (the data in use was kept)."},
			func() float64 { return float64(platforms.RefreshStats().Failures) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "fleetwatch_platform_data_last_refresh_timestamp_seconds",
			Help: "When the end-of-life data was last refreshed from --platform-data-url (Unix time); 0 before the first, and without a URL."},
			func() float64 {
				if t := platforms.RefreshStats().LastSuccess; !t.IsZero() {
					return float64(t.Unix())
				}
				return 0
			}),
	)
	im := newIngestMetrics(reg)
	prev := m.Worker.OnApplied
	m.Worker.OnApplied = func(l *fleetwatch.AuditLog, res *fleetwatch.ApplyResult) {
		im.observe(l)
		if prev != nil {
			prev(l, res)
		}
	}
}
