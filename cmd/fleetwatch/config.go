package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
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
}

// DefaultConfig returns the defaults of DESIGN.md §2.
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
	fs.Func("bcrypt-cost", fmt.Sprintf("bcrypt cost of password hashes, default %d (%s)", c.BcryptCost, envName("bcrypt-cost")), func(s string) error {
		n, err := strconv.Atoi(s)
		c.BcryptCost = n
		return err
	})
	fs.Func("payload-retention", fmt.Sprintf("how long processed raw payloads are kept, default %s (%s)", c.PayloadRetention, envName("payload-retention")), func(s string) error {
		d, err := time.ParseDuration(s)
		c.PayloadRetention = d
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
	if v, ok := os.LookupEnv(envName("payload-retention")); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			problems = append(problems, envName("payload-retention")+" must be a duration such as 2160h")
		}
		c.PayloadRetention = d
	}
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
