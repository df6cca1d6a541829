package service

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/packagist"
)

// AnalysisStore is what Analysis needs of the database: the analysis. The
// fleetwatch store interfaces document each method and its errors.
type AnalysisStore interface {
	ClaimSLABreaches(ctx context.Context, at time.Time, limit int) ([]*fleetwatch.Exposure, error)
	FindAdvisoriesByProject(ctx context.Context, project string) ([]*fleetwatch.Advisory, error)
	FindLibraryAdvisories(ctx context.Context, packages []string) (map[string][]*packagist.Advisory, error)
	FindLibraryAdvisoryHeads(ctx context.Context, packages []string) (map[string]string, error)
	FindOpenExposureFacts(ctx context.Context, moduleID int64, siteIDs []int64) (map[int64]string, error)
	FindProjectInstalls(ctx context.Context, project string) ([]*fleetwatch.Install, error)
	FindReleaseFeed(ctx context.Context, project string) (*fleetwatch.ReleaseFeed, error)
	FindReleaseFeedHeads(ctx context.Context, projects []string) ([]*fleetwatch.ReleaseFeed, error)
	FindSiteByID(ctx context.Context, id int64) (*fleetwatch.Site, error)
	FindSiteInstalls(ctx context.Context, siteIDs []int64) ([]*fleetwatch.Install, error)
	FindStaleSites(ctx context.Context, limit int) ([]int64, error)
	SaveAnalyses(ctx context.Context, vs []*fleetwatch.ModuleVerdict, at time.Time) (fleetwatch.ExposureChanges, error)
	SyncExposures(ctx context.Context, siteIDs []int64, at time.Time, open func(*fleetwatch.Install) *fleetwatch.Exposure) (fleetwatch.ExposureChanges, error)
	UpdateOpenExposureClocks(ctx context.Context, organizationID int64, at time.Time, clock func(fleetwatch.SLAInput) fleetwatch.SLAClock) (int, error)
}

// Analysis decides the update status of every (site, project) from
// drupal.org release-history feeds, the way Drupal core's update module does
// (drupal.Evaluate), and keeps site_modules and exposures current: when a
// site pushes (as the ingest worker's fleetwatch.Analyzer, whose verdicts the
// store writes with the exposures they open or resolve in the snapshot's
// transaction) and when a feed or the advisories change (Feeds, Scheduler).
type Analysis struct {
	Store  AnalysisStore
	Logger *slog.Logger
	// SLA says which policy sets the due dates of an organization's
	// exposures; the default policy when nil.
	SLA SLAPolicies
	// Events receives exposure.opened, exposure.resolved and sla.breached
	// once the writes that caused them committed; nil: no events.
	Events fleetwatch.EventPublisher
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu     sync.Mutex
	parsed map[string]*parsedFeed // by project
	libs   map[string]*libraryAdvisories
	// fetch queues projects seen for the first time.
	fetch chan string
}

// SLAPolicies says which SLA policy is in force for an organization; *SLA
// implements it.
type SLAPolicies interface {
	PolicyFor(ctx context.Context, organizationID int64) (fleetwatch.SLAPolicy, error)
}

var _ fleetwatch.Analyzer = (*Analysis)(nil)

// parsedFeed is a cached feed, parsed, with the advisory of each security
// release.
type parsedFeed struct {
	hash       string
	status     string
	project    *drupal.Project // nil when there is no valid feed
	advisories map[string]*fleetwatch.Advisory

	// evaluated holds the day's evaluations of this feed: a fleet runs a
	// handful of releases of a project, and each is evaluated once per core
	// version, source and build instead of once per site — by every push
	// and feed change that judges it, for as long as the feed is the same
	// and the day (which decides core coverage) too. The results are only
	// read.
	mu           sync.Mutex
	evaluatedDay int64 // days since 1970-01-01 UTC
	evaluated    map[evalKey]drupal.Result
}

// evalKey identifies installs that evaluate alike against one feed on one
// day.
type evalKey struct {
	version, source, core string
	datestamp             int64
}

// maxEvaluated bounds a feed's evaluations of a day: past it (a fleet of
// unusually many dev builds), further ones are computed each time.
const maxEvaluated = 1024

// NewAnalysis returns an Analysis on the store.
func NewAnalysis(store AnalysisStore, logger *slog.Logger) *Analysis {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Analysis{Store: store, Logger: logger, parsed: map[string]*parsedFeed{}, libs: map[string]*libraryAdvisories{}, fetch: make(chan string, 1024)}
}

func (a *Analysis) now() time.Time {
	if a.Now != nil {
		return a.Now().UTC()
	}
	return time.Now().UTC()
}

// Analyze implements fleetwatch.Analyzer: the ingest worker calls it inside
// the transaction that applies a snapshot. It judges the changed rows from
// the cached feeds (reading only) — status, security releases, severity,
// reasons, and the exposure to open with its SLA clock under the
// organization's policy — and queues the feeds of projects never fetched.
// The store writes the verdicts and syncs the exposures in that transaction.
func (a *Analysis) Analyze(ctx context.Context, changes []fleetwatch.ModuleChange) ([]fleetwatch.ModuleVerdict, error) {
	if len(changes) == 0 {
		return nil, nil
	}
	// The snapshot's core version: given with the changes, or the core's
	// own change; else the site's.
	cores := map[int64]string{}
	for _, ch := range changes {
		if ch.SiteCoreVersion != "" {
			cores[ch.SiteID] = ch.SiteCoreVersion
		}
	}
	for _, ch := range changes {
		if ch.Project == drupal.CoreProject && ch.ToVersion != "" {
			cores[ch.SiteID] = ch.ToVersion
		}
	}
	at := a.now()
	projects := map[string]string{}
	for _, ch := range changes {
		if ch.ToVersion != "" {
			projects[ch.Project] = ch.Source
		}
	}
	k, err := a.knowledge(ctx, projects)
	if err != nil {
		return nil, err
	}
	policies := a.policies()
	out := make([]fleetwatch.ModuleVerdict, 0, len(changes))
	for _, ch := range changes {
		if ch.ToVersion == "" {
			continue
		}
		core, ok := cores[ch.SiteID]
		if !ok {
			if site, err := a.Store.FindSiteByID(ctx, ch.SiteID); err == nil {
				core = site.CoreVersion
			}
			cores[ch.SiteID] = core
		}
		in := &fleetwatch.Install{SiteID: ch.SiteID, ModuleID: ch.ModuleID, OrganizationID: ch.OrganizationID,
			Project: ch.Project, Source: ch.Source, Version: ch.ToVersion, Datestamp: ch.Datestamp,
			CoreVersion: core, FirstSeenAt: ch.SiteFirstSeenAt}
		an, err := a.judge(ctx, k, in, at, policies)
		if err != nil {
			return nil, err
		}
		// A push opens the exposure its verdict names; it leaves one
		// already open as it is (no policy to time it again under).
		an.SLA = nil
		out = append(out, *an)
	}
	return out, nil
}

// policies returns a lookup of the SLA policy in force per organization,
// each read once.
func (a *Analysis) policies() func(ctx context.Context, orgID int64) (fleetwatch.SLAPolicy, error) {
	seen := map[int64]fleetwatch.SLAPolicy{}
	return func(ctx context.Context, orgID int64) (fleetwatch.SLAPolicy, error) {
		if p, ok := seen[orgID]; ok {
			return p, nil
		}
		p := fleetwatch.DefaultSLAPolicy(orgID)
		if a.SLA != nil {
			var err error
			if p, err = a.SLA.PolicyFor(ctx, orgID); err != nil {
				return p, err
			}
		}
		seen[orgID] = p
		return p, nil
	}
}

// knowledge is what the projects of a batch are judged by: the feeds of
// the Drupal projects and the advisories of the PHP libraries that have
// any.
type knowledge struct {
	feeds     map[string]*parsedFeed
	libraries map[string]*libraryAdvisories
}

// knowledge reads what the projects (name → source) are judged by.
func (a *Analysis) knowledge(ctx context.Context, projects map[string]string) (*knowledge, error) {
	feeds, err := a.feeds(ctx, projects)
	if err != nil {
		return nil, err
	}
	libs, err := a.libraries(ctx, projects)
	if err != nil {
		return nil, err
	}
	return &knowledge{feeds: feeds, libraries: libs}, nil
}

// judge returns the verdict on an install: a PHP library's by its
// advisories, a Drupal project's by its feed.
func (a *Analysis) judge(ctx context.Context, k *knowledge, in *fleetwatch.Install, at time.Time,
	policies func(context.Context, int64) (fleetwatch.SLAPolicy, error)) (*fleetwatch.ModuleVerdict, error) {
	if in.Source == fleetwatch.SourcePackagist {
		return a.analyzeLibrary(ctx, in, k.libraries[in.Project], at, policies)
	}
	feed := k.feeds[in.Project]
	return a.analyze(ctx, in, feed, a.evaluate(feed, in, at), at, policies)
}

// feeds returns the parsed feeds of projects (nil for custom projects, PHP
// libraries, which drupal.org has no feed of, and those without a cached
// feed), reading only the heads of the cached feeds
// unless a parsed copy is stale, and queues a first fetch of the drupal.org
// projects never fetched.
func (a *Analysis) feeds(ctx context.Context, projects map[string]string) (map[string]*parsedFeed, error) {
	names := make([]string, 0, len(projects))
	for p, source := range projects {
		if source != drupal.SourceCustom && source != fleetwatch.SourcePackagist {
			names = append(names, p)
		}
	}
	heads, err := a.Store.FindReleaseFeedHeads(ctx, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*parsedFeed, len(heads))
	for _, h := range heads {
		a.mu.Lock()
		p := a.parsed[h.Project]
		a.mu.Unlock()
		if p == nil || p.hash != h.ContentHash || p.status != h.Status {
			full, err := a.Store.FindReleaseFeed(ctx, h.Project)
			if err != nil {
				return nil, err
			}
			if p, err = a.parse(ctx, full); err != nil {
				return nil, err
			}
		}
		out[h.Project] = p
	}
	for _, name := range names {
		if _, ok := out[name]; !ok {
			select {
			case a.fetch <- name:
			default: // the scheduler's next pass fetches it
			}
		}
	}
	return out, nil
}

// parse returns the parsed form of a cached feed, parsing it only when its
// content changed since the last time.
func (a *Analysis) parse(ctx context.Context, f *fleetwatch.ReleaseFeed) (*parsedFeed, error) {
	a.mu.Lock()
	p := a.parsed[f.Project]
	a.mu.Unlock()
	if p != nil && p.hash == f.ContentHash && p.status == f.Status {
		return p, nil
	}
	p = &parsedFeed{hash: f.ContentHash, status: f.Status}
	if len(f.Body) > 0 {
		proj, err := drupal.ParseReleaseHistory(bytes.NewReader(f.Body))
		if err != nil {
			// The cache only holds feeds that parsed; treat a bad one as absent.
			a.Logger.WarnContext(ctx, "cached release history does not parse", "project", f.Project, "err", err)
		} else {
			p.project = proj
		}
	}
	if p.project != nil {
		advs, err := a.Store.FindAdvisoriesByProject(ctx, f.Project)
		if err != nil {
			return nil, err
		}
		p.advisories = matchAdvisories(f.Project, p.project, advs)
	}
	a.mu.Lock()
	a.parsed[f.Project] = p
	a.mu.Unlock()
	return p, nil
}

// forget drops the parsed form of projects, after their advisories changed.
func (a *Analysis) forget(projects ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range projects {
		delete(a.parsed, p)
	}
}

// matchAdvisories maps each security release of the feed to its advisory.
func matchAdvisories(project string, p *drupal.Project, advs []*fleetwatch.Advisory) map[string]*fleetwatch.Advisory {
	out := map[string]*fleetwatch.Advisory{}
	if len(advs) == 0 {
		return out
	}
	byID := map[string]*fleetwatch.Advisory{}
	das := make([]drupal.Advisory, 0, len(advs))
	for _, a := range advs {
		byID[a.AdvisoryID] = a
		d := drupal.Advisory{ID: a.AdvisoryID, Project: a.Project, Severity: a.Severity, IsPSA: a.IsPSA,
			AffectedVersions: a.AffectedVersions, FixedVersions: a.FixedVersions}
		if a.PublishedAt != nil {
			d.Published = *a.PublishedAt
		}
		das = append(das, d)
	}
	for _, r := range p.Releases {
		if !r.IsSecurityRelease() {
			continue
		}
		if m, ok := drupal.MatchAdvisory(das, project, r); ok {
			out[r.Version] = byID[m.ID]
		}
	}
	return out
}

// evaluate runs drupal.Evaluate for one install: its version, dev build
// time, source and core version — once per feed for installs that evaluate
// alike (parsedFeed.evaluated).
func (a *Analysis) evaluate(feed *parsedFeed, inst *fleetwatch.Install, at time.Time) drupal.Result {
	if feed == nil || feed.project == nil {
		return a.evaluateAnew(feed, inst, at)
	}
	k := evalKey{inst.Version, inst.Source, inst.CoreVersion, inst.Datestamp}
	day := at.Unix() / 86400
	feed.mu.Lock()
	res, ok := feed.evaluated[k]
	ok = ok && feed.evaluatedDay == day
	feed.mu.Unlock()
	if ok {
		return res
	}
	res = a.evaluateAnew(feed, inst, at)
	feed.mu.Lock()
	if feed.evaluated == nil || feed.evaluatedDay != day {
		feed.evaluated, feed.evaluatedDay = map[evalKey]drupal.Result{}, day
	}
	if len(feed.evaluated) < maxEvaluated {
		feed.evaluated[k] = res
	}
	feed.mu.Unlock()
	return res
}

// evaluateAnew is evaluate without the feed's cache.
func (a *Analysis) evaluateAnew(feed *parsedFeed, inst *fleetwatch.Install, at time.Time) drupal.Result {
	source := inst.Source
	in := drupal.Input{Installed: inst.Version, Datestamp: inst.Datestamp, Source: source, CoreVersion: inst.CoreVersion, Now: at}
	if feed != nil {
		in.Project = feed.project
	}
	res := drupal.Evaluate(in)
	if feed != nil && feed.project == nil && res.Status == drupal.StatusUnknown {
		switch feed.status {
		case fleetwatch.FeedNotFound:
			res.Reasons = append(res.Reasons, "drupal.org has no release history for this project.")
		case fleetwatch.FeedInvalid, fleetwatch.FeedError:
			res.Reasons = append(res.Reasons, "The release history could not be fetched; Fleetwatch retries with backoff.")
		}
	} else if feed == nil && source != drupal.SourceCustom && res.Status == drupal.StatusUnknown {
		res.Reasons = append(res.Reasons, "The release history has not been fetched yet.")
	}
	return res
}

// analyze turns the evaluation of an install into the analysis to store
// (without its Fingerprint, which analyzeInstalls adds), with the exposure
// to open when it is not_secure, due under the policy of the install's
// organization.
func (a *Analysis) analyze(ctx context.Context, in *fleetwatch.Install, feed *parsedFeed, res drupal.Result, at time.Time,
	policies func(context.Context, int64) (fleetwatch.SLAPolicy, error)) (*fleetwatch.ModuleVerdict, error) {
	an := &fleetwatch.ModuleVerdict{SiteID: in.SiteID, ModuleID: in.ModuleID, VersionID: in.VersionID,
		Status: string(res.Status), UpdateAvailable: res.UpdateAvailable, SecurityUpdate: res.SecurityUpdate,
		LatestVersion: res.LatestVersion, RecommendedVersion: res.RecommendedVersion,
		AlsoAvailable: res.AlsoAvailable, Reasons: res.Reasons}
	for _, r := range res.SecurityUpdates {
		an.SecurityUpdates = append(an.SecurityUpdates, r.Version)
	}
	fixes := res.FixedBy
	if !res.SecurityUpdate {
		fixes = res.SecurityUpdates
	}
	var advisories []string
	var published *time.Time
	for _, r := range fixes {
		if feed != nil {
			if adv := feed.advisories[r.Version]; adv != nil {
				if fleetwatch.SeverityRank(adv.Severity) > fleetwatch.SeverityRank(an.Severity) {
					an.Severity = adv.Severity
				}
				advisories = appendUnique(advisories, adv.AdvisoryID)
			}
		}
		if r.IsSecurityRelease() && !r.Date.IsZero() && (published == nil || r.Date.Before(*published)) {
			d := r.Date.UTC()
			published = &d
		}
	}
	if !an.SecurityUpdate {
		return an, nil
	}
	var fixedBy []string
	for _, r := range res.FixedBy {
		fixedBy = append(fixedBy, r.Version)
	}
	return an, a.expose(ctx, an, in, advisories, fixedBy, published, at, policies)
}

// expose gives a verdict that names a security update the exposure it
// opens, due under the SLA policy of the install's organization.
func (a *Analysis) expose(ctx context.Context, an *fleetwatch.ModuleVerdict, in *fleetwatch.Install, advisories, fixedBy []string,
	published *time.Time, at time.Time, policies func(context.Context, int64) (fleetwatch.SLAPolicy, error)) error {
	e := &fleetwatch.Exposure{Severity: an.Severity, SeverityKnown: an.Severity != "", PublishedAt: published,
		DetectedAt: at, Advisories: advisories, FixedBy: fixedBy}
	policy, err := policies(ctx, in.OrganizationID)
	if err != nil {
		return err
	}
	clock := fleetwatch.ComputeSLAClock(fleetwatch.SLAInput{Severity: e.Severity, PublishedAt: published,
		DetectedAt: at, SiteFirstSeenAt: in.FirstSeenAt}, policy)
	e.ClockStartedAt, e.DueAt = clock.StartedAt.UTC(), clock.DueAt.UTC()
	if !e.SeverityKnown {
		e.Severity = fleetwatch.SeverityCritical
	}
	an.Exposure, an.SLA = e, &policy
	return nil
}

func appendUnique(s []string, v string) []string {
	for _, w := range s {
		if w == v {
			return s
		}
	}
	return append(s, v)
}

// analyzeInstalls evaluates installs against their project's feed, once per
// distinct (version, source, core), and returns the analyses that differ from
// what is stored (all of them with force), and, marked ExposureOnly, those
// whose verdict is unchanged but whose open exposure's Facts are not.
func (a *Analysis) analyzeInstalls(ctx context.Context, installs []*fleetwatch.Install, force bool) ([]*fleetwatch.ModuleVerdict, error) {
	at := a.now()
	projects := map[string]string{}
	for _, in := range installs {
		projects[in.Project] = in.Source
	}
	k, err := a.knowledge(ctx, projects)
	if err != nil {
		return nil, err
	}
	policies := a.policies()
	var out []*fleetwatch.ModuleVerdict
	standing := map[int64][]*fleetwatch.ModuleVerdict{} // unchanged verdicts with an exposure, by project
	for _, in := range installs {
		an, err := a.judge(ctx, k, in, at, policies)
		if err != nil {
			return nil, err
		}
		// Only this comparison (and the writes grouped by it) needs the
		// fingerprint; the ingest's verdicts go without.
		an.Fingerprint = fleetwatch.AnalysisFingerprint(an.Status, an.LatestVersion, an.RecommendedVersion, an.Severity,
			an.SecurityUpdates, an.AlsoAvailable, fleetwatch.ReasonsDigest(an.Reasons))
		switch {
		case force || an.Fingerprint != in.Fingerprint:
			out = append(out, an)
		case an.Exposure != nil:
			// The verdict stands; what its open exposure says may not.
			standing[an.ModuleID] = append(standing[an.ModuleID], an)
		}
	}
	// An open exposure whose facts changed (another advisory, other fixes
	// or dates) is written alone: only the exposure.
	for module, as := range standing {
		sites := make([]int64, len(as))
		for i, an := range as {
			sites[i] = an.SiteID
		}
		facts, err := a.Store.FindOpenExposureFacts(ctx, module, sites)
		if err != nil {
			return nil, err
		}
		for _, an := range as {
			if f, ok := facts[an.SiteID]; ok && f != an.Exposure.Facts() {
				an.ExposureOnly = true
				out = append(out, an)
			}
		}
	}
	return out, nil
}

// RecomputeProject re-judges every site that runs project, after its feed
// or advisories changed, and writes what changed with the exposures it
// opens or resolves, in one transaction; it publishes their events once
// committed.
func (a *Analysis) RecomputeProject(ctx context.Context, project string) (changed, opened, resolved int, err error) {
	installs, err := a.Store.FindProjectInstalls(ctx, project)
	if err != nil {
		return 0, 0, 0, err
	}
	as, err := a.analyzeInstalls(ctx, installs, false)
	if err != nil {
		return 0, 0, 0, err
	}
	ch, err := a.Store.SaveAnalyses(ctx, as, a.now())
	if err != nil {
		return 0, 0, 0, err
	}
	publishExposureChanges(ctx, a.Events, ch)
	for _, an := range as {
		if !an.ExposureOnly {
			changed++
		}
	}
	if ch.Updated > 0 {
		a.Logger.InfoContext(ctx, "open exposures updated from their advisories", "project", project, "exposures", ch.Updated)
	}
	return changed, len(ch.Opened), len(ch.Resolved), nil
}

// CompleteStale finishes the analysis of rows written without an analyzer
// (or by an older version): security releases, severity, reasons and
// exposures. The ingest worker's rows are complete when they commit; this is
// the scheduler's safety net. It returns how many rows it wrote.
func (a *Analysis) CompleteStale(ctx context.Context) (int, error) {
	total := 0
	// Bounded: a row a push changes again meanwhile is skipped by
	// SaveAnalyses and left for the next pass.
	for range 20 {
		ids, err := a.Store.FindStaleSites(ctx, 500)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		installs, err := a.Store.FindSiteInstalls(ctx, ids)
		if err != nil {
			return total, err
		}
		as, err := a.analyzeInstalls(ctx, installs, true)
		if err != nil {
			return total, err
		}
		ch, err := a.Store.SaveAnalyses(ctx, as, a.now())
		if err != nil {
			return total, err
		}
		publishExposureChanges(ctx, a.Events, ch)
		total += len(as)
		if len(ids) < 500 {
			return total, nil
		}
	}
	return total, nil
}

// Reconcile opens and resolves the exposures of the sites so that one is
// open exactly while security_update is true, whoever wrote the status.
func (a *Analysis) Reconcile(ctx context.Context, siteIDs []int64) (opened, resolved int, err error) {
	ch, err := a.Store.SyncExposures(ctx, siteIDs, a.now(), a.opener(ctx))
	if err != nil {
		return 0, 0, err
	}
	publishExposureChanges(ctx, a.Events, ch)
	return len(ch.Opened), len(ch.Resolved), nil
}

// opener builds the exposure of an install that needs one and has none.
func (a *Analysis) opener(ctx context.Context) func(*fleetwatch.Install) *fleetwatch.Exposure {
	at := a.now()
	policies := a.policies()
	return func(in *fleetwatch.Install) *fleetwatch.Exposure {
		k, err := a.knowledge(ctx, map[string]string{in.Project: in.Source})
		if err != nil {
			return nil
		}
		an, err := a.judge(ctx, k, in, at, policies)
		if err != nil {
			a.Logger.WarnContext(ctx, "exposure not opened", "site", in.SiteID, "project", in.Project, "err", err)
			return nil
		}
		return an.Exposure
	}
}

// ApplySLAPolicy recomputes the due dates of the organization's open
// exposures under a new version of its policy; resolved ones keep their
// frozen outcome. It is the SLA service's OnPolicyChange hook.
func (a *Analysis) ApplySLAPolicy(ctx context.Context, p *fleetwatch.SLAPolicy) error {
	n, err := a.Store.UpdateOpenExposureClocks(ctx, p.OrganizationID, a.now(), func(in fleetwatch.SLAInput) fleetwatch.SLAClock {
		return fleetwatch.ComputeSLAClock(in, *p)
	})
	if err != nil {
		return err
	}
	if n > 0 {
		a.Logger.InfoContext(ctx, "exposure due dates recomputed after an SLA policy change",
			"organization", p.OrganizationID, "version", p.Version, "exposures", n)
	}
	return nil
}

// AnnounceBreaches publishes sla.breached for each open exposure past its
// due date that was not announced yet, marking it so that no replica
// announces it again; it returns how many it announced. Without Events it
// does nothing.
func (a *Analysis) AnnounceBreaches(ctx context.Context) (int, error) {
	if a.Events == nil {
		return 0, nil
	}
	const batch = 500
	total := 0
	for ctx.Err() == nil {
		es, err := a.Store.ClaimSLABreaches(ctx, a.now(), batch)
		if err != nil {
			return total, err
		}
		for _, e := range es {
			publishExposureEvent(ctx, a.Events, fleetwatch.EventSLABreached, e)
		}
		total += len(es)
		if len(es) < batch {
			break
		}
	}
	return total, nil
}
