package service

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Store is what the services need of the database together: the union of
// their ports, so that one value wires them all. sqlstore.Store implements
// it; no service holds it.
type Store interface {
	ActivityStore
	OrganizationsStore
	SitesStore
	UsersStore
	AuthStore
	APIKeysStore
	PatchRunsStore
	ModulesStore
	ExposuresStore
	AcceptancesStore
	AnalysisStore
	FeedsStore
	IngestStore
	WorkerStore
	EventsStore
	SLAStore
	NotifierStore
	ReportsStore
	PlatformsStore
	SSOStore
	PasswordPolicy
}

// Deps are what New builds the services from. Store, Secret, BcryptCost,
// Bus and Fetcher are required.
type Deps struct {
	Store Store
	// Secret is the server's secret key; every key the services use is
	// derived from it.
	Secret []byte
	// BcryptCost is the cost of new password hashes.
	BcryptCost int
	// Bus carries the events; Waker wakes the ingest workers (nil: they
	// find new payloads when they poll).
	Bus   fleetwatch.EventBus
	Waker fleetwatch.Waker
	// Fetcher reads release feeds and advisories; FeedInterval is how
	// often a feed is refreshed (DefaultRefreshInterval when 0).
	Fetcher      fleetwatch.FeedFetcher
	FeedInterval time.Duration
	// LibraryAdvisories reads the advisories of PHP libraries (nil: none,
	// and libraries are not judged).
	LibraryAdvisories LibraryAdvisoryFetcher
	// Cache keeps report answers for CacheTTL (nil: every report is
	// computed).
	Cache    fleetwatch.Cache
	CacheTTL time.Duration
	// Mailer and Webhooks send notifications (nil disables the channel);
	// PublicURL links them to the dashboard.
	Mailer    fleetwatch.Mailer
	Webhooks  fleetwatch.WebhookSender
	PublicURL string
	// SSOClockSkew is how far past its expiry an ID token is accepted
	// (DefaultSSOClockSkew when 0).
	SSOClockSkew time.Duration
	// PlatformDataURL is where the platforms' end-of-life data is
	// refreshed from ("{product}" for php or drupal; empty: the shipped
	// data only), every PlatformRefresh (DefaultPlatformRefresh when 0).
	PlatformDataURL string
	PlatformRefresh time.Duration
	Logger          *slog.Logger
	// Now is every service's clock; time.Now when nil.
	Now func() time.Time
}

// Services are every service, wired to each other: the worker judges with
// the analysis and publishes events, due dates follow the SLA policies, and
// reports are invalidated when policies and acceptances change.
type Services struct {
	Activity      *Activity
	Auth          *Auth
	Organizations *Organizations
	Sites         *Sites
	Users         *Users
	APIKeys       *APIKeys
	PatchRuns     *PatchRuns
	Modules       *Modules
	Exposures     *Exposures
	Acceptances   *Acceptances
	Analysis      *Analysis
	Feeds         *Feeds
	Scheduler     *Scheduler
	Ingest        *Ingest
	Worker        *Worker
	Events        *Events
	SLA           *SLA
	Notifier      *Notifier
	Reports       *Reports
	// Platforms judges PHP and Drupal core against their end of life.
	Platforms *Platforms
	// SSO signs users in through identity providers.
	SSO *SSO
}

// New builds and wires every service. The caller runs the long-lived ones
// (Worker, Scheduler, Notifier, Reports.RunRollups) and closes Ingest and
// Events.
func New(d Deps) (*Services, error) {
	if d.Store == nil || d.Bus == nil || d.Fetcher == nil || len(d.Secret) == 0 {
		return nil, fmt.Errorf("service.New: Store, Bus, Fetcher and Secret are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	passwords, err := NewPasswords(d.BcryptCost, 2)
	if err != nil {
		return nil, err
	}
	st, now := d.Store, d.Now
	s := &Services{Activity: &Activity{Store: st, Logger: d.Logger}}
	if s.Auth, err = NewAuth(st, passwords, s.Activity, d.Secret); err != nil {
		return nil, err
	}
	s.Auth.Now = now
	s.Auth.PasswordPolicy = st
	s.Organizations = &Organizations{Store: st, Activity: s.Activity}
	s.Platforms = &Platforms{Store: st, Logger: d.Logger, Now: now, URL: d.PlatformDataURL, RefreshEvery: d.PlatformRefresh}
	s.Sites = &Sites{Store: st, Activity: s.Activity, Platforms: s.Platforms}
	s.Users = &Users{Store: st, Passwords: passwords, Activity: s.Activity, Auth: s.Auth}
	s.APIKeys = &APIKeys{Store: st, Sites: s.Sites, Orgs: s.Organizations, Activity: s.Activity, Now: now}
	s.Modules = &Modules{Store: st, Sites: s.Sites, Now: now}
	s.Events = NewEvents(d.Bus, st, d.Logger)
	s.Events.Now = now
	s.Platforms.Events = s.Events
	s.PatchRuns = &PatchRuns{Store: st, Sites: s.Sites, Activity: s.Activity, Events: s.Events, Now: now}
	s.SLA = &SLA{Store: st, Activity: s.Activity}
	s.Analysis = NewAnalysis(st, d.Logger)
	s.Analysis.Now, s.Analysis.Events, s.Analysis.SLA = now, s.Events, s.SLA
	s.SLA.OnPolicyChange(s.Analysis.ApplySLAPolicy)
	s.Exposures = &Exposures{Store: st, Now: now}
	s.Feeds = &Feeds{Store: st, Fetcher: d.Fetcher, Libraries: d.LibraryAdvisories, Analysis: s.Analysis, Interval: d.FeedInterval}
	s.Scheduler = &Scheduler{Feeds: s.Feeds, Platforms: s.Platforms}
	s.Ingest = &Ingest{Store: st, Sites: s.Sites, Waker: d.Waker, Logger: d.Logger, Now: now}
	s.Worker = &Worker{Store: st, Analyzer: s.Analysis, Events: s.Events, Waker: d.Waker, Logger: d.Logger, Now: now}
	s.Notifier = &Notifier{Store: st, Events: s.Events, Logger: d.Logger, PublicURL: d.PublicURL, Secrets: s.Auth.WebhookSecrets(),
		Mailer: d.Mailer, Webhooks: d.Webhooks, DigestHour: 8, Now: now}
	// Reports are cached until their data changes: events say so for what
	// ingestion and the analysis change; policies and acceptances here.
	s.Reports = &Reports{Store: st, Cache: d.Cache, CacheTTL: d.CacheTTL, Logger: d.Logger, Now: now, Platforms: s.Platforms}
	s.SLA.OnPolicyChange(func(ctx context.Context, p *fleetwatch.SLAPolicy) error {
		return s.Reports.Invalidate(ctx, p.OrganizationID)
	})
	s.Acceptances = &Acceptances{Store: st, Exposures: s.Exposures, Activity: s.Activity, Now: now,
		OnChange: func(ctx context.Context, orgID int64) {
			if err := s.Reports.Invalidate(ctx, orgID); err != nil {
				d.Logger.WarnContext(ctx, "invalidate reports", "err", err)
			}
		}}
	if s.SSO, err = NewSSO(st, s.Auth, s.Activity, s.Organizations, d.PublicURL, d.Secret); err != nil {
		return nil, err
	}
	s.SSO.ClockSkew = d.SSOClockSkew
	return s, nil
}
