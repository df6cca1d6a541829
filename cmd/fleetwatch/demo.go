package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/demo"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/packagist"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
)

// Demo organizations carry a tax id that marks them: demoLoading while
// `fleetwatch demo` fills the database, demoTaxID once it finished. A
// second run recognizes the demo by it.
const (
	demoTaxID   = "DEMO"
	demoLoading = "DEMO-LOADING"
	demoDomain  = "demo.example"
	demoAdmin   = "admin@" + demoDomain
)

// demoOptions are the flags of `fleetwatch demo`.
type demoOptions struct {
	force       bool
	seed        uint64
	sitesPerOrg int
	mirror      string
}

// demoUser is a demo account to print.
type demoUser struct {
	email, role, org string
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var opt demoOptions
	cfg, err := parseConfig("demo", args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&opt.force, "force", false, "add the demo to a database that holds other data")
		fs.Uint64Var(&opt.seed, "seed", 1, "seed of the simulation: the same seed plans the same fleet")
		fs.IntVar(&opt.sitesPerOrg, "sites-per-org", 13, "sites of each of the 3 demo organizations")
		fs.StringVar(&opt.mirror, "mirror", "", "folder for the demo's release feeds and advisories (default: fleetwatch-demo beside the SQLite file, or in the working directory)")
	})
	if err != nil {
		return err
	}
	if opt.sitesPerOrg < 1 || opt.sitesPerOrg > 500 {
		return errors.New("--sites-per-org must be between 1 and 500")
	}
	if opt.mirror == "" {
		opt.mirror = filepath.Join(dataDir(cfg.DatabaseURL), "fleetwatch-demo")
	}
	if opt.mirror, err = filepath.Abs(opt.mirror); err != nil {
		return fmt.Errorf("mirror folder: %w", err)
	}
	m := NewMain(cfg, newLogger(stderr, cfg.LogLevel))
	store, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate database: %w", err)
	}
	secret, err := m.checkedSecretKey(ctx, store)
	if err != nil {
		return err
	}
	state, err := demoState(ctx, store)
	if err != nil {
		return err
	}
	switch {
	case state == "loaded":
		fmt.Fprintf(stdout, "The demo fleet is already loaded in %s; nothing to do.\n", redactURL(cfg.DatabaseURL))
		users, err := demoUsers(ctx, store)
		if err != nil {
			return err
		}
		printSignIn(stdout, cfg, opt, secret, users)
		return nil
	case state == "loading":
		return errors.New("an earlier `fleetwatch demo` did not finish in this database; start again on an empty database")
	case state != "" && !opt.force:
		return fmt.Errorf("the database holds data that is not the demo's (%s); run `fleetwatch demo --force` to add the demo beside it", state)
	}
	start := time.Now()
	l, err := newDemoLoader(store, opt, cfg.BcryptCost, secret, m.Logger)
	if err != nil {
		return err
	}
	defer l.close()
	fmt.Fprintf(stdout, "Loading a demo fleet into %s…\n", redactURL(cfg.DatabaseURL))
	if err := l.load(ctx, time.Now()); err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	if err := l.summary(ctx, stdout, time.Since(start)); err != nil {
		return err
	}
	printSignIn(stdout, cfg, opt, secret, l.users)
	return nil
}

// dataDir is the folder of the SQLite file, or the working directory.
func dataDir(databaseURL string) string {
	if path, ok := strings.CutPrefix(databaseURL, "sqlite://"); ok {
		return filepath.Dir(strings.SplitN(path, "?", 2)[0])
	}
	return "."
}

// demoState tells what the database holds: "" (nothing), "loaded" (the
// finished demo), "loading" (an unfinished demo run), or a description of
// the other data in it.
func demoState(ctx context.Context, store *sqlstore.Store) (string, error) {
	orgs, _, err := store.FindOrganizations(ctx, fleetwatch.OrganizationFilter{ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: fleetwatch.MaxPerPage}})
	if err != nil {
		return "", err
	}
	var loaded, loading, others int
	for _, o := range orgs {
		switch o.TaxID {
		case demoTaxID:
			loaded++
		case demoLoading:
			loading++
		default:
			others++
		}
	}
	users, _, err := store.FindUsers(ctx, fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: fleetwatch.MaxPerPage}})
	if err != nil {
		return "", err
	}
	otherUsers := 0
	for _, u := range users {
		if !strings.HasSuffix(u.Email, demoDomain) {
			otherUsers++
		}
	}
	switch {
	case loading > 0:
		return "loading", nil
	case loaded > 0:
		return "loaded", nil
	case others > 0 || otherUsers > 0:
		return fmt.Sprintf("%s, %s", plural(others, "organization"), plural(otherUsers, "user")), nil
	}
	return "", nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// demoUsers lists the demo accounts of a loaded demo.
func demoUsers(ctx context.Context, store *sqlstore.Store) ([]demoUser, error) {
	users, _, err := store.FindUsers(ctx, fleetwatch.UserFilter{ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: fleetwatch.MaxPerPage}})
	if err != nil {
		return nil, err
	}
	var out []demoUser
	for _, u := range users {
		if !strings.HasSuffix(u.Email, demoDomain) {
			continue
		}
		du := demoUser{email: u.Email, role: u.Role}
		if u.OrganizationID != 0 {
			if o, err := store.FindOrganizationByID(ctx, u.OrganizationID); err == nil {
				du.org = o.Name
			}
		}
		out = append(out, du)
	}
	return out, nil
}

// demoPassword derives a demo account's password from the secret key, so
// that a second run can print it again without storing it anywhere.
func demoPassword(secret []byte, email string) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("fleetwatch demo password\x00" + email))
	return strings.ToLower(base32.StdEncoding.EncodeToString(mac.Sum(nil))[:16])
}

func printSignIn(w io.Writer, cfg Config, opt demoOptions, secret []byte, users []demoUser) {
	fmt.Fprintf(w, "\nSign in at %s (run `fleetwatch serve` first) as:\n", cfg.PublicURL)
	for _, u := range users {
		org := "all organizations"
		if u.org != "" {
			org = u.org
		}
		fmt.Fprintf(w, "  %-36s %-18s %-10s (%s)\n", u.email, demoPassword(secret, u.email), u.role, org)
	}
	fmt.Fprintf(w, "(passwords are derived from the secret key; valid unless changed since)\n")
	fmt.Fprintf(w, "\nThe demo's release feeds and advisories are in %s. To keep judging the fleet by them\n", opt.mirror)
	fmt.Fprintf(w, "rather than by drupal.org, serve with:\n  FLEETWATCH_RELEASE_FEED_URL=file://%s FLEETWATCH_ADVISORY_URL=file://%s fleetwatch serve\n",
		filepath.Join(opt.mirror, "release-history"), filepath.Join(opt.mirror, "advisories"))
}

// summary prints what the demo holds.
func (l *demoLoader) summary(ctx context.Context, w io.Writer, took time.Duration) error {
	fmt.Fprintf(w, "Loaded %d organizations, %d sites, %d projects: %d pushes and %d patch runs over the year to %s, %d security advisories.\n",
		len(l.orgs), len(l.sites), len(l.fetched), l.pushes, l.patchRuns, l.fleet.End.Format(time.DateOnly), l.advisories)
	open := []string{}
	total := 0
	for _, sev := range []string{fleetwatch.SeverityHighlyCritical, fleetwatch.SeverityCritical, fleetwatch.SeverityModeratelyCritical,
		fleetwatch.SeverityLessCritical, fleetwatch.SeverityNotCritical} {
		_, n, err := l.store.FindExposures(ctx, fleetwatch.ExposureFilter{ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 1},
			State: fleetwatch.ExposureOpen, Severity: sev})
		if err != nil {
			return err
		}
		total += n
		open = append(open, fmt.Sprintf("%d %s", n, strings.ReplaceAll(sev, "_", " ")))
	}
	within, breached, err := l.outcomes(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Open exposures: %d (%s).\n", total, strings.Join(open, ", "))
	fmt.Fprintf(w, "Resolved exposures: %d within their SLA deadline, %d breached it.\n", within, breached)
	fmt.Fprintf(w, "Took %s.\n", took.Round(100*time.Millisecond))
	return nil
}

// outcomes counts the resolved exposures by SLA outcome.
func (l *demoLoader) outcomes(ctx context.Context) (within, breached int, err error) {
	for page := 1; ; page++ {
		es, total, err := l.store.FindExposures(ctx, fleetwatch.ExposureFilter{ListOptions: fleetwatch.ListOptions{Page: page, PerPage: fleetwatch.MaxPerPage},
			State: fleetwatch.ExposureResolved})
		if err != nil {
			return 0, 0, err
		}
		for _, e := range es {
			if e.SLAOutcome != nil && *e.SLAOutcome == fleetwatch.SLAWithin {
				within++
			} else {
				breached++
			}
		}
		if len(es) == 0 || page*fleetwatch.MaxPerPage >= total {
			return within, breached, nil
		}
	}
}

// demoLoader feeds a planned demo fleet through the real services, with a
// clock it moves forward event by event.
type demoLoader struct {
	store  *sqlstore.Store
	opt    demoOptions
	secret []byte
	logger *slog.Logger
	fleet  *demo.Fleet
	clock  time.Time

	// svc are the services, on the loader's clock; fetcher is their
	// release feed source, which the walk points at one advisory file at a
	// time.
	svc     *service.Services
	fetcher *mirrorFetcher
	applied atomic.Int64 // payloads the worker applied in its last run (its groups run concurrently)

	admin *fleetwatch.Actor
	orgs  []*fleetwatch.Organization
	sites []*fleetwatch.Site
	users []demoUser

	// libraries are the mirror's library advisories, read once; the walk
	// hands the server those published by its clock, once a week.
	libraries     *packagist.Set
	nextLibraries time.Time

	fetched                       map[string]bool // projects whose feed was fetched
	pushes, patchRuns, advisories int
	saSeq                         map[string]int // advisory numbers by "CORE-2026"
}

func newDemoLoader(store *sqlstore.Store, opt demoOptions, bcryptCost int, secret []byte, logger *slog.Logger) (*demoLoader, error) {
	l := &demoLoader{store: store, opt: opt, secret: secret, logger: logger, fetched: map[string]bool{}, saSeq: map[string]int{}}
	now := func() time.Time { return l.clock }
	store.Now = now
	client, err := newMirrorClient(filepath.Join(opt.mirror, "release-history"), "", logger)
	if err != nil {
		return nil, err
	}
	l.fetcher = &mirrorFetcher{FeedFetcher: client}
	l.svc, err = service.New(service.Deps{
		Store: store, Secret: secret, BcryptCost: bcryptCost,
		Bus: memory.NewEventBus(100), Fetcher: l.fetcher, Logger: logger, Now: now,
	})
	if err != nil {
		return nil, err
	}
	l.svc.Ingest.SetInbox(service.NewInbox(store, 1, 64))
	l.svc.Worker.BatchSize = 16
	l.svc.Worker.OnApplied = func(*fleetwatch.AuditLog, *fleetwatch.ApplyResult) { l.applied.Add(1) }
	return l, nil
}

// mirrorFetcher is the demo's release feed source: the mirror folder, with
// the advisory file the walk is at.
type mirrorFetcher struct{ fleetwatch.FeedFetcher }

func (l *demoLoader) close() {
	l.svc.Ingest.Close()
	l.svc.Events.Close()
}

// load plans the fleet over the year to end and plays it.
func (l *demoLoader) load(ctx context.Context, end time.Time) error {
	fleet, err := demo.Plan(end, l.opt.sitesPerOrg, l.opt.seed)
	if err != nil {
		return err
	}
	l.fleet = fleet
	l.clock = fleet.Start
	if err := l.prepareMirror(); err != nil {
		return err
	}
	if err := l.createAccounts(ctx); err != nil {
		return err
	}
	if err := l.walk(ctx); err != nil {
		return err
	}
	// Finished: mark the organizations as the demo's.
	l.clock = time.Now()
	tax := demoTaxID
	actx := fleetwatch.NewContextWithActor(ctx, l.admin)
	for _, o := range l.orgs {
		if _, err := l.svc.Organizations.Update(actx, o.UUID, service.OrganizationInput{TaxID: &tax}); err != nil {
			return fmt.Errorf("mark demo organization: %w", err)
		}
	}
	// The trends read daily rollups; the server keeps them, but a fresh
	// demo should answer at once.
	return l.svc.Reports.Rollup(ctx)
}

// prepareMirror empties the demo's feed and advisory folders.
func (l *demoLoader) prepareMirror() error {
	for _, sub := range []string{"release-history", "advisories"} {
		dir := filepath.Join(l.opt.mirror, sub)
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clear %s: %w", dir, err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", dir, err)
		}
	}
	// The PHP libraries' advisories, in their upstream layouts, beside the
	// Drupal advisories the walk writes: a server on the mirror reads both.
	if err := os.CopyFS(filepath.Join(l.opt.mirror, "advisories"), demo.LibraryAdvisories()); err != nil {
		return fmt.Errorf("write library advisories: %w", err)
	}
	return nil
}

// createAccounts creates the platform admin, the organizations with their
// org admin, member and viewer, and the sites, through the services the
// API uses.
func (l *demoLoader) createAccounts(ctx context.Context) error {
	l.clock = time.Now()
	root := fleetwatch.NewContextWithActor(ctx, &fleetwatch.Actor{Role: fleetwatch.RoleAdmin})
	admin, err := l.createUser(root, "Demo Admin", demoAdmin, fleetwatch.RoleAdmin, nil, "")
	if err != nil {
		return err
	}
	l.admin = &fleetwatch.Actor{UserID: admin.ID, UserUUID: admin.UUID, Role: fleetwatch.RoleAdmin}
	actx := fleetwatch.NewContextWithActor(ctx, l.admin)
	for _, po := range l.fleet.Orgs {
		name, tax := po.Name, demoLoading
		o, err := l.svc.Organizations.Create(actx, service.OrganizationInput{Name: &name, TaxID: &tax})
		if err != nil {
			return fmt.Errorf("create organization: %w", describeError(err))
		}
		l.orgs = append(l.orgs, o)
		slug := strings.ToLower(strings.Fields(po.Name)[0])
		for _, role := range []string{fleetwatch.RoleOrgAdmin, fleetwatch.RoleMember, fleetwatch.RoleViewer} {
			local := map[string]string{fleetwatch.RoleOrgAdmin: "admin", fleetwatch.RoleMember: "member", fleetwatch.RoleViewer: "viewer"}[role]
			email := local + "@" + slug + "." + demoDomain
			display := strings.ToUpper(local[:1]) + local[1:] + " at " + po.Name
			if _, err := l.createUser(actx, display, email, role, &o.UUID, po.Name); err != nil {
				return err
			}
		}
	}
	for _, ps := range l.fleet.Sites {
		in := service.SiteInput{URL: &ps.URL, Name: &ps.Name, Description: &ps.Description, OrganizationID: &l.orgs[ps.Org].UUID}
		s, err := l.svc.Sites.Create(actx, in)
		if err != nil {
			return fmt.Errorf("create site %s: %w", ps.URL, describeError(err))
		}
		l.sites = append(l.sites, s)
	}
	return nil
}

func (l *demoLoader) createUser(ctx context.Context, name, email, role string, orgUUID *string, orgName string) (*fleetwatch.User, error) {
	pw := demoPassword(l.secret, email)
	u, err := l.svc.Users.Create(ctx, service.UserInput{Name: &name, Email: &email, Password: &pw, Role: &role, OrganizationID: orgUUID})
	if err != nil {
		return nil, fmt.Errorf("create user %s: %w", email, describeError(err))
	}
	l.users = append(l.users, demoUser{email: email, role: role, org: orgName})
	return u, nil
}
