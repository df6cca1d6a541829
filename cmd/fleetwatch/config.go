package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/service"
)

// Config is Fleetwatch's configuration, parsed once from flags and
// FLEETWATCH_* environment variables, and validated at start.
type Config struct {
	Addr             string
	DatabaseURL      string
	RedisURL         string
	SecretKey        string
	BcryptCost       int
	PublicURL        string
	SMTPURL          string
	ReleaseFeedURL   string
	AdvisoryURL      string
	PayloadRetention time.Duration
	LogLevel         string
	// IngestWorkers is how many goroutines apply pushed payloads (on
	// PostgreSQL, concurrent transactions over disjoint sites; see
	// docs/performance.md for why four); 0 makes an API-only replica.
	IngestWorkers int
	// IngestStuckAfter is when a claimed payload is taken back from a
	// worker that stopped.
	IngestStuckAfter time.Duration
	// FeedRefreshInterval is how often each release-history feed is
	// refreshed.
	FeedRefreshInterval time.Duration
	// ReportCacheTTL is how long a computed report is served again while
	// its data does not change; 0 computes every report.
	ReportCacheTTL time.Duration
	// WebhookAllowPrivate lets notification webhooks reach private,
	// loopback and link-local addresses (an internal chat server).
	WebhookAllowPrivate bool
	// TrustedProxies lists, comma-separated, the CIDRs of the reverse
	// proxies whose X-Forwarded-For names the client; empty: none.
	TrustedProxies string
	// RedisPrefix is the first part of every name this installation uses
	// in Redis, before its installation id (redisx.Namespace).
	RedisPrefix string
	// IdentityProviders are OpenID Connect providers to create or update
	// at start: a JSON array, inline or @file (see parseIdentityProviders).
	IdentityProviders string
	// SSOClockSkew is how far past its expiry an ID token is accepted.
	SSOClockSkew time.Duration
	// PlatformDataURL is where the end-of-life data of PHP and Drupal core
	// is refreshed from, "{product}" standing for php or drupal; empty: the
	// data Fleetwatch ships only.
	PlatformDataURL string
	// PlatformRefreshInterval is how often it is refreshed.
	PlatformRefreshInterval time.Duration
}

// DefaultConfig returns the defaults (docs/architecture.md: configuration).
func DefaultConfig() Config {
	return Config{
		Addr:             "127.0.0.1:8080",
		DatabaseURL:      "sqlite://fleetwatch.db",
		BcryptCost:       12,
		PublicURL:        "http://127.0.0.1:8080",
		ReleaseFeedURL:   "https://updates.drupal.org/release-history",
		AdvisoryURL:      "https://www.drupal.org/api-d7/node.json?type=sa&status=1&sort=created&direction=DESC",
		PayloadRetention: 2160 * time.Hour,
		LogLevel:         "info",

		IngestWorkers:       4,
		IngestStuckAfter:    5 * time.Minute,
		FeedRefreshInterval: time.Hour,
		ReportCacheTTL:      time.Minute,
		RedisPrefix:         redisx.DefaultPrefix,
		SSOClockSkew:        service.DefaultSSOClockSkew,

		PlatformRefreshInterval: service.DefaultPlatformRefresh,
	}
}

// registerFlags adds the server settings to fs, each with its environment
// variable FLEETWATCH_<NAME> as the default.
func (c *Config) registerFlags(fs *flag.FlagSet) {
	str := func(p *string, name, usage string) {
		fs.StringVar(p, name, envString(name, *p), usage+" ("+envName(name)+")")
	}
	str(&c.Addr, "addr", "address to listen on")
	str(&c.DatabaseURL, "database-url", "sqlite://FILE or postgres://…")
	str(&c.RedisURL, "redis-url", "redis://… for queue, cache and pub/sub; empty: in-process")
	str(&c.SecretKey, "secret-key", "signs tokens and encrypts TOTP secrets; empty: generated into fleetwatch.key")
	str(&c.PublicURL, "public-url", "the address users reach the server at, for links")
	str(&c.SMTPURL, "smtp-url", "smtp://user:pass@host:port for e-mail; empty: no e-mail")
	str(&c.ReleaseFeedURL, "release-feed-url", "base URL of drupal.org release-history feeds")
	str(&c.AdvisoryURL, "advisory-url", "drupal.org security advisory listing")
	str(&c.LogLevel, "log-level", "debug, info, warn or error")
	str(&c.RedisPrefix, "redis-prefix", "first part of every Redis key and channel, before the installation id")
	str(&c.IdentityProviders, "identity-providers", "OpenID Connect providers to set up at start: a JSON array, or @FILE")
	str(&c.PlatformDataURL, "platform-data-url", "where PHP's and Drupal core's end-of-life data is refreshed from, {product} for php or drupal (https://endoflife.date/api/{product}.json); empty: the shipped data only")
	str(&c.TrustedProxies, "trusted-proxies", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed; empty: none")
	fs.Func("bcrypt-cost", fmt.Sprintf("bcrypt cost of password hashes, default %d (%s)", c.BcryptCost, envName("bcrypt-cost")), func(s string) error {
		n, err := strconv.Atoi(s)
		c.BcryptCost = n
		return err
	})
	dur := func(p *time.Duration, name, usage string) {
		fs.Func(name, fmt.Sprintf("%s, default %s (%s)", usage, *p, envName(name)), func(s string) error {
			d, err := time.ParseDuration(s)
			*p = d
			return err
		})
	}
	dur(&c.PayloadRetention, "payload-retention", "how long processed raw payloads are kept")
	dur(&c.IngestStuckAfter, "ingest-stuck-after", "when a payload claimed by a stopped worker is queued again")
	dur(&c.FeedRefreshInterval, "feed-refresh-interval", "how often each release-history feed is refreshed")
	dur(&c.SSOClockSkew, "sso-clock-skew", "how far past its expiry an identity provider's ID token is accepted")
	dur(&c.PlatformRefreshInterval, "platform-refresh-interval", "how often the end-of-life data is refreshed from --platform-data-url")
	dur(&c.ReportCacheTTL, "report-cache-ttl", "how long a report is served from the cache while its data is unchanged, 0 to compute each")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", envString("webhook-allow-private", "false") == "true",
		"let notification webhooks reach private, loopback and link-local addresses ("+envName("webhook-allow-private")+")")
	fs.Func("ingest-workers", fmt.Sprintf("goroutines applying pushed payloads, 0 for an API-only replica, default %d (%s)", c.IngestWorkers, envName("ingest-workers")), func(s string) error {
		n, err := strconv.Atoi(s)
		c.IngestWorkers = n
		return err
	})
}

// applyEnv reads the settings that are not plain strings from the environment.
func (c *Config) applyEnv() []string {
	var problems []string
	if v, ok := os.LookupEnv(envName("bcrypt-cost")); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			problems = append(problems, envName("bcrypt-cost")+" must be a number")
		}
		c.BcryptCost = n
	}
	for name, p := range map[string]*time.Duration{"payload-retention": &c.PayloadRetention,
		"ingest-stuck-after": &c.IngestStuckAfter, "feed-refresh-interval": &c.FeedRefreshInterval, "report-cache-ttl": &c.ReportCacheTTL, "sso-clock-skew": &c.SSOClockSkew,
		"platform-refresh-interval": &c.PlatformRefreshInterval} {
		if v, ok := os.LookupEnv(envName(name)); ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				problems = append(problems, envName(name)+" must be a duration such as 5m")
			}
			*p = d
		}
	}
	if v, ok := os.LookupEnv(envName("ingest-workers")); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			problems = append(problems, envName("ingest-workers")+" must be a number")
		}
		c.IngestWorkers = n
	}
	slices.Sort(problems)
	return problems
}

// Validate returns one error listing every bad setting.
func (c *Config) Validate() error {
	var problems []string
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		problems = append(problems, fmt.Sprintf("--addr %q is not host:port", c.Addr))
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		problems = append(problems, "--database-url must start with sqlite:// or postgres://")
	} else if c.DatabaseURL == "sqlite://" {
		problems = append(problems, "--database-url sqlite:// needs a file name, such as sqlite://fleetwatch.db")
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		problems = append(problems, "--redis-url must start with redis:// or rediss://")
	}
	if !redisx.ValidPrefix(c.RedisPrefix) {
		problems = append(problems, "--redis-prefix must be 1 to 64 letters, digits, '-', '_' or '.'")
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		problems = append(problems, "--secret-key must be at least 32 characters (try: openssl rand -hex 32)")
	}
	if c.BcryptCost < 4 || c.BcryptCost > 31 {
		problems = append(problems, "--bcrypt-cost must be between 4 and 31")
	}
	for name, v := range map[string]string{"public-url": c.PublicURL, "release-feed-url": c.ReleaseFeedURL, "advisory-url": c.AdvisoryURL} {
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") {
			problems = append(problems, fmt.Sprintf("--%s %q must be an http(s) or file URL", name, v))
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") {
			problems = append(problems, "--smtp-url must be smtp://… or smtps://…")
		}
	}
	if c.PayloadRetention < time.Hour {
		problems = append(problems, "--payload-retention must be at least 1h")
	}
	if c.IngestWorkers < 0 || c.IngestWorkers > 256 {
		problems = append(problems, "--ingest-workers must be between 0 and 256")
	}
	if c.IngestStuckAfter < time.Second {
		problems = append(problems, "--ingest-stuck-after must be at least 1s")
	}
	if c.ReportCacheTTL < 0 || c.ReportCacheTTL > time.Hour {
		problems = append(problems, "--report-cache-ttl must be between 0 and 1h")
	}
	if c.FeedRefreshInterval < time.Minute {
		problems = append(problems, "--feed-refresh-interval must be at least 1m")
	}
	if c.PlatformDataURL != "" {
		u, err := url.Parse(strings.ReplaceAll(c.PlatformDataURL, "{product}", "php"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") || !strings.Contains(c.PlatformDataURL, "{product}") {
			problems = append(problems, fmt.Sprintf("--platform-data-url %q must be an http(s) or file URL with {product} in it", c.PlatformDataURL))
		}
	}
	if c.PlatformRefreshInterval < time.Hour {
		problems = append(problems, "--platform-refresh-interval must be at least 1h")
	}
	if _, err := httpapi.ParseTrustedProxies(c.TrustedProxies); err != nil {
		problems = append(problems, "--trusted-proxies: "+err.Error())
	}
	if _, err := parseIdentityProviders(c.IdentityProviders); err != nil {
		problems = append(problems, "--identity-providers: "+err.Error())
	}
	if c.SSOClockSkew < 0 || c.SSOClockSkew > 10*time.Minute {
		problems = append(problems, "--sso-clock-skew must be between 0 and 10m")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, "--log-level must be debug, info, warn or error")
	}
	if len(problems) > 0 {
		return errors.New("invalid configuration:\n  - " + strings.Join(problems, "\n  - "))
	}
	return nil
}

func envName(flagName string) string {
	return "FLEETWATCH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func envString(flagName, def string) string {
	if v, ok := os.LookupEnv(envName(flagName)); ok {
		return v
	}
	return def
}
