package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/notify"
	"github.com/fleetwatch/fleetwatch/redisx"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
)

// Main is a running Fleetwatch: the store, the services and the HTTP server,
// wired from a Config. main and the end-to-end tests both use it.
type Main struct {
	Config Config
	Logger *slog.Logger

	Store *sqlstore.Store
	// Services are every service, wired by service.New.
	*service.Services
	Server *httpapi.Server
	// Waker wakes the ingest workers (Redis when configured, else
	// in-process).
	Waker fleetwatch.Waker

	// realtime is the event bus (Redis when configured, else in-process).
	realtime *realtime

	// InstallationID is the id of the database's installation; with the
	// --redis-prefix it names whatever this installation puts in Redis.
	InstallationID string
	redisNS        redisx.Namespace

	httpServer *http.Server
	listener   net.Listener
}

// NewMain returns a Main for the configuration.
func NewMain(cfg Config, logger *slog.Logger) *Main {
	return &Main{Config: cfg, Logger: logger}
}

// Open opens and migrates the database and builds the services and the
// HTTP handler. It does not listen yet.
func (m *Main) Open(ctx context.Context) error {
	store, err := sqlstore.Open(ctx, m.Config.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.Store = store
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	if m.InstallationID, err = store.InstallationID(ctx); err != nil {
		return err
	}
	secret, err := m.checkedSecretKey(ctx, store)
	if err != nil {
		return err
	}
	if m.redisNS, err = redisx.NewNamespace(m.Config.RedisPrefix, m.InstallationID); err != nil {
		return err
	}
	ready := map[string]func(context.Context) error{"database": store.Ping}
	if err := m.openRealtime(ready); err != nil {
		return err
	}
	if err := m.openWaker(ctx, ready); err != nil {
		return err
	}
	registry := newRegistry()
	fetcher, err := m.feedFetcher(registry)
	if err != nil {
		return err
	}
	deps := service.Deps{
		Store: store, Secret: secret, BcryptCost: m.Config.BcryptCost,
		Bus: m.realtime.bus, Waker: m.Waker,
		Fetcher: fetcher, LibraryAdvisories: fetcher, FeedInterval: m.Config.FeedRefreshInterval,
		Cache: m.reportCache(), CacheTTL: m.Config.ReportCacheTTL,
		Webhooks:  &notify.Webhook{UserAgent: "Fleetwatch/" + version, AllowPrivate: m.Config.WebhookAllowPrivate},
		PublicURL: m.Config.PublicURL, SSOClockSkew: m.Config.SSOClockSkew, Logger: m.Logger,
		PlatformDataURL: m.Config.PlatformDataURL, PlatformRefresh: m.Config.PlatformRefreshInterval,
	}
	if m.Config.SMTPURL != "" {
		if deps.Mailer, err = notify.ParseSMTPURL(m.Config.SMTPURL); err != nil {
			return err
		}
	}
	if m.Services, err = service.New(deps); err != nil {
		return err
	}
	if n, err := m.Auth.SealWebhookSecrets(ctx); err != nil {
		return fmt.Errorf("seal webhook secrets: %w", err)
	} else if n > 0 {
		m.Logger.Info("sealed webhook secrets stored in plain text", "users", n)
	}
	if err := m.configureSSO(ctx); err != nil {
		return err
	}
	if err := m.configureIngest(store); err != nil {
		return err
	}
	m.openOpsMetrics(registry, ready)
	trusted, err := httpapi.ParseTrustedProxies(m.Config.TrustedProxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	m.Server = httpapi.New(httpapi.Config{
		TrustedProxies: trusted,

		Logger:    m.Logger,
		PublicURL: m.Config.PublicURL,
		Version:   version,
		Services:  m.Services,
		Registry:  registry,
		Ready:     ready,
		Dashboard: dashboardHandler(),
	})
	return nil
}

// Listen binds the configured address (host:0 picks a free port).
func (m *Main) Listen() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.listener = ln
	return nil
}

// URL returns the address the server listens on.
func (m *Main) URL() string { return "http://" + m.listener.Addr().String() }

// Serve answers requests until ctx ends, then shuts down gracefully, letting
// requests in flight finish.
func (m *Main) Serve(ctx context.Context) error {
	m.httpServer = &http.Server{
		Handler:           m.Server,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	workCtx, stopWork := context.WithCancel(context.Background())
	defer stopWork()
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		m.Worker.Run(workCtx)
	}()
	schedDone := make(chan struct{})
	go func() {
		defer close(schedDone)
		m.Scheduler.Run(workCtx)
	}()
	m.realtime.start(workCtx, m.Notifier)
	reportsDone := m.runReports(workCtx)
	// Streams end at shutdown, so that it does not wait for them; clients
	// reconnect to another replica with Last-Event-ID.
	m.httpServer.RegisterOnShutdown(m.Events.Close)
	errc := make(chan error, 1)
	go func() { errc <- m.httpServer.Serve(m.listener) }()
	m.Logger.Info("fleetwatch listening", "url", m.URL(), "database", redactURL(m.Config.DatabaseURL), "version", version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := m.httpServer.Shutdown(shutdownCtx)
	// Pushes in flight are stored by now; then the workers finish what
	// they claimed. Whatever is still queued waits in the database.
	m.Ingest.Close()
	stopWork()
	<-workDone
	<-schedDone
	m.realtime.wait()
	reportsDone()
	m.Logger.Info("ingest workers stopped")
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// openWaker builds the waker of the ingest workers: Redis Streams when
// configured, else in-process.
func (m *Main) openWaker(ctx context.Context, ready map[string]func(context.Context) error) error {
	if m.Config.RedisURL == "" {
		m.Waker = memory.NewWaker()
		return nil
	}
	w, err := redisx.NewWaker(ctx, m.Config.RedisURL, m.redisNS, m.Logger)
	if err != nil {
		return err
	}
	m.Waker = w
	bus := ready["redis"]
	ready["redis"] = func(ctx context.Context) error {
		if bus != nil {
			if err := bus(ctx); err != nil {
				return err
			}
		}
		return w.Ping(ctx)
	}
	return nil
}

// configureIngest sets the ingest path as --ingest-workers (0 makes an
// API-only replica), --ingest-stuck-after and --payload-retention say.
// FLEETWATCH_TEST_INGEST_DELAY holds each payload before it is applied,
// for the crash tests.
func (m *Main) configureIngest(store *sqlstore.Store) error {
	if store.Dialect() == "sqlite" {
		// One writer connection: more inbox writers would only queue.
		m.Ingest.SetInbox(service.NewInbox(store, 1, 128))
	}
	m.Worker.Retention = m.Config.PayloadRetention
	m.Worker.Concurrency = m.Config.IngestWorkers
	m.Worker.StuckAfter = m.Config.IngestStuckAfter
	if m.Config.IngestWorkers == 0 {
		m.Worker.Concurrency = -1
	}
	if v := os.Getenv("FLEETWATCH_TEST_INGEST_DELAY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("invalid configuration: FLEETWATCH_TEST_INGEST_DELAY must be a duration such as 200ms")
		}
		m.Worker.ApplyDelay = d
	}
	return nil
}

// Close releases the database.
func (m *Main) Close() error {
	if m.realtime != nil {
		m.realtime.close()
	}

	if m.Waker != nil {
		_ = m.Waker.Close()
	}
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}

// secretKey returns the configured secret, or the one in fleetwatch.key
// beside the SQLite file (the working directory for PostgreSQL), generating
// it the first time. It is never stored in the database it protects. A
// generated key is written by save, once the database accepted it
// (checkSecretKey); save is nil otherwise.
func (m *Main) secretKey() (key []byte, source string, save func() error, err error) {
	if m.Config.SecretKey != "" {
		return []byte(m.Config.SecretKey), "the configured --secret-key", nil, nil
	}
	file := m.keyFile()
	b, err := os.ReadFile(file)
	if err == nil {
		key := strings.TrimSpace(string(b))
		if len(key) < 32 {
			return nil, "", nil, fmt.Errorf("%s holds a key shorter than 32 characters", file)
		}
		return []byte(key), file, nil, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, "", nil, fmt.Errorf("read secret key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", nil, fmt.Errorf("generate secret key: %w", err)
	}
	gen := hex.EncodeToString(raw)
	save = func() error {
		if err := os.WriteFile(file, []byte(gen+"\n"), 0o600); err != nil {
			return fmt.Errorf("write secret key: %w", err)
		}
		m.Logger.Warn("no secret key configured; generated one — keep it safe and back it up, or set FLEETWATCH_SECRET_KEY", "file", file)
		return nil
	}
	return []byte(gen), "a key generated now (no --secret-key, no " + file + ")", save, nil
}

// keyFile is where a generated secret key is kept.
func (m *Main) keyFile() string { return keyFilePath(m.Config.DatabaseURL) }

func newLogger(w io.Writer, level string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lvl}
	if f, ok := w.(*os.File); ok && isTerminal(f) {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// redactURL hides a password in a database URL for the logs.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if at := strings.Index(s[i+3:], "@"); at >= 0 {
			cred := s[i+3 : i+3+at]
			if c := strings.Index(cred, ":"); c >= 0 {
				return s[:i+3] + cred[:c] + ":***" + s[i+3+at:]
			}
		}
	}
	return s
}

func runServe(ctx context.Context, args []string, _, stderr io.Writer) error {
	cfg, err := parseConfig("serve", args, stderr, nil)
	if err != nil {
		return err
	}
	m := NewMain(cfg, newLogger(stderr, cfg.LogLevel))
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.Listen(); err != nil {
		return err
	}
	startPprof()
	return m.Serve(ctx)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseConfig("migrate", args, stderr, nil)
	if err != nil {
		return err
	}
	store, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	fmt.Fprintln(stdout, "database is up to date:", redactURL(cfg.DatabaseURL))
	return nil
}

func runUsersCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var name, email, password, role, org string
	cfg, err := parseConfig("users create", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's e-mail address (required)")
		fs.StringVar(&password, "password", "", "the user's password, 8 to 72 bytes (required)")
		fs.StringVar(&role, "role", "", "admin, org_admin, member or viewer (required)")
		fs.StringVar(&org, "organization", "", "the organization's id (required except for admins)")
		fs.StringVar(&name, "name", "", "the user's name (defaults to the e-mail's local part)")
	})
	if err != nil {
		return err
	}
	m := NewMain(cfg, newLogger(stderr, cfg.LogLevel))
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	u, err := m.Auth.CreateUserFromShell(ctx, name, email, password, role, org)
	if err != nil {
		return describeError(err)
	}
	fmt.Fprintf(stdout, "created %s %s (id %s)\n", u.Role, u.Email, u.UUID)
	return nil
}
