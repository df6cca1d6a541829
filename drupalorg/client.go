// Package drupalorg fetches drupal.org data for Fleetwatch: release-history
// feeds ({base}/{project}/current) and security advisories, over HTTP(S) or
// from a file:// mirror. It implements fleetwatch.FeedFetcher: conditional
// GETs (ETag, Last-Modified), a timeout per request, bounded concurrency,
// retries with backoff on transient errors, a size cap, project name
// validation, and Prometheus metrics of every outcome.
package drupalorg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of a Client.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxFeedBytes     = 8 << 20
	DefaultMaxAdvisoryBytes = 16 << 20
	DefaultConcurrency      = 4
	DefaultRetries          = 2
	DefaultBackoff          = time.Second
	DefaultMaxAdvisoryPages = 5
)

// Fetch outcomes, the "result" label of the metrics.
const (
	resultOK          = "ok"
	resultNotModified = "not_modified"
	resultNotFound    = "not_found"
	resultInvalid     = "invalid"
	resultTooLarge    = "too_large"
	resultHTTPError   = "http_error"
	resultTimeout     = "timeout"
	resultNetwork     = "network_error"
	resultBadProject  = "bad_project"
)

// projectPattern is a drupal.org project machine name: no slashes, no dots.
var projectPattern = regexp.MustCompile(`^[a-z0-9_]{1,128}$`)

// ValidProject reports whether name is a drupal.org project machine name.
func ValidProject(name string) bool { return projectPattern.MatchString(name) }

// Config configures a Client. Zero values take the defaults.
type Config struct {
	// FeedURL is the base of release-history feeds: an http(s) URL or a
	// file:// folder holding {project}/current files.
	FeedURL string
	// AdvisoryURL is the advisory source: an api-d7 listing URL, a file://
	// listing, or a file:// folder of api-d7 pages and OSV files.
	AdvisoryURL      string
	HTTPClient       *http.Client
	Timeout          time.Duration
	MaxFeedBytes     int64
	MaxAdvisoryBytes int64
	Concurrency      int
	Retries          int
	Backoff          time.Duration
	MaxAdvisoryPages int
	UserAgent        string
	Logger           *slog.Logger
	// Registerer receives the metrics; none are registered when nil.
	Registerer prometheus.Registerer
}

// Client is the drupal.org adapter. It is safe for concurrent use.
type Client struct {
	cfg     Config
	sem     chan struct{}
	fetches *prometheus.CounterVec
	latency *prometheus.HistogramVec
	// lastOK is when a fetch of each kind last succeeded (a feed unchanged
	// or not found on drupal.org counts: drupal.org answered).
	lastOK *prometheus.GaugeVec
}

var _ fleetwatch.FeedFetcher = (*Client)(nil)

// New returns a Client. It fails when the metrics cannot be registered.
func New(cfg Config) (*Client, error) {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxFeedBytes <= 0 {
		cfg.MaxFeedBytes = DefaultMaxFeedBytes
	}
	if cfg.MaxAdvisoryBytes <= 0 {
		cfg.MaxAdvisoryBytes = DefaultMaxAdvisoryBytes
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.MaxAdvisoryPages <= 0 {
		cfg.MaxAdvisoryPages = DefaultMaxAdvisoryPages
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Fleetwatch (+https://github.com/fleetwatch/fleetwatch)"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		cfg: cfg,
		sem: make(chan struct{}, cfg.Concurrency),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fleetwatch_drupalorg_fetches_total",
			Help: "Fetches of drupal.org release-history feeds and advisories, by kind and result.",
		}, []string{"kind", "result"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fleetwatch_drupalorg_fetch_duration_seconds",
			Help:    "Duration of drupal.org fetches, retries included.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 8),
		}, []string{"kind"}),
		lastOK: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "fleetwatch_drupalorg_last_success_timestamp_seconds",
			Help: "When a fetch of drupal.org release-history feeds or advisories last succeeded, by kind (Unix time).",
		}, []string{"kind"}),
	}
	if cfg.Registerer != nil {
		for _, col := range []prometheus.Collector{c.fetches, c.latency, c.lastOK} {
			if err := cfg.Registerer.Register(col); err != nil {
				return nil, fmt.Errorf("register drupal.org metrics: %w", err)
			}
		}
	}
	return c, nil
}

// fetchError is a failed fetch with its metrics result.
type fetchError struct {
	result string
	err    error
}

func (e *fetchError) Error() string { return e.err.Error() }
func (e *fetchError) Unwrap() error { return e.err }

func failed(result string, format string, args ...any) error {
	return &fetchError{result: result, err: fmt.Errorf(format, args...)}
}

func resultOf(err error) string {
	var fe *fetchError
	if errors.As(err, &fe) {
		return fe.result
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return resultTimeout
	}
	return resultNetwork
}

// FetchFeed fetches {FeedURL}/{project}/current, conditionally on etag and
// lastModified. It validates the answer with drupal.ParseReleaseHistory: an
// HTML page, truncated XML or a feed over MaxFeedBytes is an error wrapping
// fleetwatch.ErrFeedInvalid; drupal.org's "no release history" answer and a
// 404 are NotFound.
func (c *Client) FetchFeed(ctx context.Context, project, etag, lastModified string) (*fleetwatch.FeedResponse, error) {
	start := time.Now()
	resp, err := c.fetchFeed(ctx, project, etag, lastModified)
	c.latency.WithLabelValues("feed").Observe(time.Since(start).Seconds())
	result := resultOK
	switch {
	case err != nil:
		result = resultOf(err)
		c.cfg.Logger.WarnContext(ctx, "release history fetch failed", "project", project, "result", result, "err", err)
	case resp.NotModified:
		result = resultNotModified
	case resp.NotFound:
		result = resultNotFound
	}
	c.fetches.WithLabelValues("feed", result).Inc()
	if err == nil {
		c.lastOK.WithLabelValues("feed").SetToCurrentTime()
	}
	return resp, err
}

func (c *Client) fetchFeed(ctx context.Context, project, etag, lastModified string) (*fleetwatch.FeedResponse, error) {
	if !ValidProject(project) {
		return nil, &fetchError{resultBadProject, fmt.Errorf("%w: %q is not a drupal.org project name", fleetwatch.ErrFeedInvalid, clip(project))}
	}
	if c.cfg.FeedURL == "" {
		return nil, failed(resultNetwork, "no release feed URL configured")
	}
	base := strings.TrimRight(c.cfg.FeedURL, "/")
	var (
		resp *fleetwatch.FeedResponse
		err  error
	)
	if dir, ok := strings.CutPrefix(base, "file://"); ok {
		resp, err = c.readFile(filepath.Join(dir, project, "current"), lastModified, c.cfg.MaxFeedBytes)
		if err != nil && errors.Is(err, os.ErrNotExist) {
			return &fleetwatch.FeedResponse{NotFound: true}, nil
		}
	} else {
		resp, err = c.get(ctx, base+"/"+project+"/current", etag, lastModified, c.cfg.MaxFeedBytes)
	}
	if err != nil || resp.NotModified || resp.NotFound {
		return resp, err
	}
	if _, perr := drupal.ParseReleaseHistory(bytes.NewReader(resp.Body)); errors.Is(perr, drupal.ErrProjectNotFound) {
		return &fleetwatch.FeedResponse{NotFound: true, ETag: resp.ETag, LastModified: resp.LastModified}, nil
	} else if perr != nil {
		return nil, &fetchError{resultInvalid, fmt.Errorf("%w: %s: %v", fleetwatch.ErrFeedInvalid, project, perr)}
	}
	return resp, nil
}

// get does a GET with retries and backoff on transient failures: network
// errors, timeouts, 429 and 5xx.
func (c *Client) get(ctx context.Context, u, etag, lastModified string, limit int64) (*fleetwatch.FeedResponse, error) {
	var err error
	for attempt := 0; attempt <= c.cfg.Retries; attempt++ {
		if attempt > 0 {
			// Exponential backoff with jitter: 1x, 2x, 4x … of Backoff.
			d := c.cfg.Backoff << (attempt - 1)
			d += time.Duration(rand.Int64N(int64(d)/2 + 1))
			select {
			case <-ctx.Done():
				return nil, errors.Join(err, ctx.Err())
			case <-time.After(d):
			}
		}
		var resp *fleetwatch.FeedResponse
		resp, err = c.getOnce(ctx, u, etag, lastModified, limit)
		if err == nil {
			return resp, nil
		}
		switch resultOf(err) {
		case resultInvalid, resultTooLarge, resultNotFound:
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, err
}

func (c *Client) getOnce(ctx context.Context, u, etag, lastModified string, limit int64) (*fleetwatch.FeedResponse, error) {
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, failed(resultNetwork, "request %s: %w", redact(u), err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	res, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, failed(resultTimeout, "get %s: timed out: %w", redact(u), err)
		}
		return nil, failed(resultNetwork, "get %s: %w", redact(u), err)
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotModified:
		return &fleetwatch.FeedResponse{NotModified: true, ETag: etag, LastModified: lastModified}, nil
	case res.StatusCode == http.StatusNotFound || res.StatusCode == http.StatusGone:
		return &fleetwatch.FeedResponse{NotFound: true}, nil
	case res.StatusCode != http.StatusOK:
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return nil, failed(resultHTTPError, "get %s: HTTP %d", redact(u), res.StatusCode)
	}
	if res.ContentLength > limit {
		return nil, &fetchError{resultTooLarge, fmt.Errorf("%w: %s: %d bytes, over the %d byte limit", fleetwatch.ErrFeedInvalid, redact(u), res.ContentLength, limit)}
	}
	body, err := readLimited(res.Body, limit)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, failed(resultTimeout, "read %s: timed out: %w", redact(u), err)
		}
		return nil, err
	}
	return &fleetwatch.FeedResponse{Body: body, ETag: res.Header.Get("ETag"), LastModified: res.Header.Get("Last-Modified")}, nil
}

// readFile reads a mirror file; it answers NotModified when its modification
// time is the cached Last-Modified.
func (c *Client) readFile(path, lastModified string, limit int64) (*fleetwatch.FeedResponse, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	mod := st.ModTime().UTC().Format(http.TimeFormat)
	if st.Size() > limit {
		return nil, &fetchError{resultTooLarge, fmt.Errorf("%w: %s: %d bytes, over the %d byte limit", fleetwatch.ErrFeedInvalid, path, st.Size(), limit)}
	}
	if lastModified != "" && lastModified == mod {
		return &fleetwatch.FeedResponse{NotModified: true, LastModified: mod}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := readLimited(f, limit)
	if err != nil {
		return nil, err
	}
	return &fleetwatch.FeedResponse{Body: body, LastModified: mod}, nil
}

// readLimited reads r whole, failing past limit bytes rather than truncating.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, failed(resultNetwork, "read body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, &fetchError{resultTooLarge, fmt.Errorf("%w: answer over the %d byte limit", fleetwatch.ErrFeedInvalid, limit)}
	}
	return body, nil
}

// redact drops the query of a URL for logs and errors.
func redact(u string) string {
	if p, err := url.Parse(u); err == nil {
		p.RawQuery, p.User = "", nil
		return p.String()
	}
	return "(url)"
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
