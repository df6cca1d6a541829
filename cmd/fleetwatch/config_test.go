package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

func TestParseConfig_WorkerAndFeedSettings(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		cfg, err := parseConfig("serve", nil, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.IngestWorkers != 4 || cfg.IngestStuckAfter != 5*time.Minute || cfg.FeedRefreshInterval != time.Hour {
			t.Errorf("defaults = %d %s %s", cfg.IngestWorkers, cfg.IngestStuckAfter, cfg.FeedRefreshInterval)
		}
	})
	t.Run("Flags", func(t *testing.T) {
		cfg, err := parseConfig("serve", []string{"--ingest-workers", "0", "--ingest-stuck-after", "30s",
			"--feed-refresh-interval", "15m"}, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.IngestWorkers != 0 || cfg.IngestStuckAfter != 30*time.Second || cfg.FeedRefreshInterval != 15*time.Minute {
			t.Errorf("flags = %d %s %s", cfg.IngestWorkers, cfg.IngestStuckAfter, cfg.FeedRefreshInterval)
		}
	})
	t.Run("Env", func(t *testing.T) {
		t.Setenv("FLEETWATCH_INGEST_WORKERS", "8")
		t.Setenv("FLEETWATCH_INGEST_STUCK_AFTER", "1s")
		t.Setenv("FLEETWATCH_FEED_REFRESH_INTERVAL", "2h")
		cfg, err := parseConfig("serve", nil, io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.IngestWorkers != 8 || cfg.IngestStuckAfter != time.Second || cfg.FeedRefreshInterval != 2*time.Hour {
			t.Errorf("env = %d %s %s", cfg.IngestWorkers, cfg.IngestStuckAfter, cfg.FeedRefreshInterval)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		_, err := parseConfig("serve", []string{"--ingest-workers", "-1", "--ingest-stuck-after", "10ms",
			"--feed-refresh-interval", "1s"}, io.Discard, nil)
		if err == nil {
			t.Fatal("no error")
		}
		for _, want := range []string{"--ingest-workers", "--ingest-stuck-after", "--feed-refresh-interval"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name %s", err, want)
			}
		}
		t.Setenv("FLEETWATCH_INGEST_WORKERS", "many")
		if _, err := parseConfig("serve", nil, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "FLEETWATCH_INGEST_WORKERS") {
			t.Errorf("bad env: %v", err)
		}
	})
}

func TestParseConfig_TrustedProxies(t *testing.T) {
	cfg, err := parseConfig("serve", nil, io.Discard, nil)
	if err != nil || cfg.TrustedProxies != "" {
		t.Fatalf("default %q, %v", cfg.TrustedProxies, err)
	}
	t.Setenv("FLEETWATCH_TRUSTED_PROXIES", "10.0.0.0/8, fd00::/8")
	if cfg, err = parseConfig("serve", nil, io.Discard, nil); err != nil || cfg.TrustedProxies != "10.0.0.0/8, fd00::/8" {
		t.Fatalf("env %q, %v", cfg.TrustedProxies, err)
	}
	_, err = parseConfig("serve", []string{"--trusted-proxies", "10.0.0.0/8,proxy.local"}, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "--trusted-proxies") || !strings.Contains(err.Error(), "proxy.local") {
		t.Errorf("bad CIDR: %v", err)
	}
}

func TestParseConfig_RedisPrefix(t *testing.T) {
	cfg, err := parseConfig("serve", nil, io.Discard, nil)
	if err != nil || cfg.RedisPrefix != "fleetwatch" {
		t.Fatalf("default %q, %v", cfg.RedisPrefix, err)
	}
	t.Setenv("FLEETWATCH_REDIS_PREFIX", "fw-staging")
	if cfg, err = parseConfig("serve", nil, io.Discard, nil); err != nil || cfg.RedisPrefix != "fw-staging" {
		t.Fatalf("env %q, %v", cfg.RedisPrefix, err)
	}
	for _, bad := range []string{"", "a:b", "with space"} {
		if _, err = parseConfig("serve", []string{"--redis-prefix", bad}, io.Discard, nil); err == nil || !strings.Contains(err.Error(), "--redis-prefix") {
			t.Errorf("prefix %q: %v", bad, err)
		}
	}
}
