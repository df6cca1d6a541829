package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/packagist"
)

// Defaults of Feeds.
const (
	DefaultRefreshInterval = time.Hour
	DefaultFeedWorkers     = 4
	maxFeedBackoff         = time.Hour
)

// FeedsStore is what Feeds needs of the database: release feeds and
// advisories. The fleetwatch store interfaces document each method and its
// errors.
type FeedsStore interface {
	FindDueFeedProjects(ctx context.Context, checkedBefore, now time.Time) ([]string, error)
	FindReleaseFeed(ctx context.Context, project string) (*fleetwatch.ReleaseFeed, error)
	SaveAdvisories(ctx context.Context, advs []*fleetwatch.Advisory) error
	SaveLibraryAdvisories(ctx context.Context, advs []*packagist.Advisory) ([]string, error)
	SaveReleaseFeed(ctx context.Context, f *fleetwatch.ReleaseFeed) error
	SaveReleases(ctx context.Context, project string, releases []fleetwatch.ReleaseInfo, advisories map[string]string) error
	TryLeadership(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error)
}

// Feeds keeps the release-history feeds and advisories of every project the
// fleet runs, and has the analysis recompute the sites of a project whose
// feed changed.
type Feeds struct {
	Store   FeedsStore
	Fetcher fleetwatch.FeedFetcher
	// Libraries reads the advisories of PHP libraries; nil: none.
	Libraries LibraryAdvisoryFetcher
	Analysis  *Analysis
	// Interval is how often a feed is refreshed (DefaultRefreshInterval).
	Interval time.Duration
	// Workers bounds the feeds fetched at once (DefaultFeedWorkers).
	Workers int
}

// LibraryAdvisoryFetcher reads the advisories of PHP libraries (GitHub's
// and FriendsOfPHP's, merged); *drupalorg.Client implements it.
type LibraryAdvisoryFetcher interface {
	FetchLibraryAdvisories(ctx context.Context) (*packagist.Set, error)
}

// RefreshResult says what one refresh did.
type RefreshResult struct {
	Projects   int      `json:"projects" doc:"Feeds checked"`
	Changed    []string `json:"changed" doc:"Projects whose feed changed"`
	Failed     []string `json:"failed" doc:"Projects whose feed could not be fetched"`
	Advisories int      `json:"advisories" doc:"Advisories read"`
	Sites      int      `json:"sites_changed" doc:"(site, project) rows whose analysis changed"`
	Opened     int      `json:"exposures_opened"`
	Resolved   int      `json:"exposures_resolved"`
}

func (f *Feeds) interval() time.Duration {
	if f.Interval > 0 {
		return f.Interval
	}
	return DefaultRefreshInterval
}

// RefreshFeed fetches one project's feed (conditionally on the cached
// copy), stores the outcome, and when the content changed stores its
// releases and recomputes the sites that run the project. A fetch failure
// is recorded with backoff, keeps the last good feed, and is returned.
func (f *Feeds) RefreshFeed(ctx context.Context, project string) (changed bool, res RefreshResult, err error) {
	at := f.Analysis.now()
	cached, err := f.Store.FindReleaseFeed(ctx, project)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		cached, err = &fleetwatch.ReleaseFeed{Project: project, Status: fleetwatch.FeedPending}, nil
	} else if err != nil {
		return false, res, err
	}
	resp, ferr := f.Fetcher.FetchFeed(ctx, project, cached.ETag, cached.LastModified)
	next := *cached
	next.CheckedAt = &at
	switch {
	case ferr != nil:
		next.Failures++
		next.Error = truncate(ferr.Error(), 500)
		next.Status = fleetwatch.FeedError
		if errors.Is(ferr, fleetwatch.ErrFeedInvalid) {
			next.Status = fleetwatch.FeedInvalid
		}
		backoff := min(time.Minute<<min(next.Failures-1, 10), maxFeedBackoff)
		na := at.Add(backoff)
		next.NextAttempt = &na
	case resp.NotModified:
		next.Failures, next.Error, next.NextAttempt, next.FetchedAt = 0, "", nil, &at
		if len(next.Body) > 0 {
			next.Status = fleetwatch.FeedOK
		}
	case resp.NotFound:
		next = fleetwatch.ReleaseFeed{Project: project, Status: fleetwatch.FeedNotFound, CheckedAt: &at, FetchedAt: &at,
			ETag: resp.ETag, LastModified: resp.LastModified, ChangedAt: cached.ChangedAt}
		changed = cached.Status != fleetwatch.FeedNotFound
	default:
		sum := sha256.Sum256(resp.Body)
		next.Body, next.ContentHash = resp.Body, hex.EncodeToString(sum[:])
		next.ETag, next.LastModified = resp.ETag, resp.LastModified
		next.Status, next.Failures, next.Error, next.NextAttempt, next.FetchedAt = fleetwatch.FeedOK, 0, "", nil, &at
		changed = next.ContentHash != cached.ContentHash || cached.Status != fleetwatch.FeedOK
	}
	if changed {
		next.ChangedAt = &at
	}
	// A feed that was never good cannot tell anything: its sites stay
	// unknown, with the reason; that is a change worth recomputing.
	if ferr != nil && len(cached.Body) == 0 && cached.Status != next.Status {
		changed = true
	}
	if err := f.Store.SaveReleaseFeed(ctx, &next); err != nil {
		return false, res, err
	}
	res.Projects = 1
	if ferr != nil {
		res.Failed = []string{project}
	}
	if !changed {
		return false, res, ferr
	}
	res.Changed = []string{project}
	if err := f.saveReleases(ctx, &next); err != nil {
		return true, res, err
	}
	n, o, r, err := f.Analysis.RecomputeProject(ctx, project)
	res.Sites, res.Opened, res.Resolved = n, o, r
	if err != nil {
		return true, res, err
	}
	return true, res, ferr
}

// saveReleases stores the releases of a project's valid feed in
// module_versions, each security release with its advisory.
func (f *Feeds) saveReleases(ctx context.Context, feed *fleetwatch.ReleaseFeed) error {
	if len(feed.Body) == 0 || feed.Status != fleetwatch.FeedOK {
		return nil
	}
	p, err := f.Analysis.parse(ctx, feed)
	if err != nil || p.project == nil {
		return err
	}
	infos := make([]fleetwatch.ReleaseInfo, 0, len(p.project.Releases))
	advs := map[string]string{}
	for _, r := range p.project.Releases {
		if _, err := drupal.Parse(r.Version); err != nil || len(r.Version) > drupal.MaxVersionLength {
			continue // a nonsense version in the feed is not a release to store
		}
		info := fleetwatch.ReleaseInfo{Version: r.Version, SecurityUpdate: r.IsSecurityRelease(),
			BugFixes: r.HasType(drupal.ReleaseTypeBugFixes), NewFeatures: r.HasType(drupal.ReleaseTypeNewFeatures),
			Published: r.IsPublished(), Insecure: r.IsInsecure(), Revoked: !r.IsPublished(), Unsupported: r.IsUnsupported(),
			CoreCompatibility: r.CoreCompatibility, SecurityCovered: r.Security != nil && r.Security.Covered}
		if !r.Date.IsZero() {
			d := r.Date.UTC()
			info.ReleaseDate = &d
		}
		if a := p.advisories[r.Version]; a != nil {
			advs[r.Version] = a.AdvisoryID
		}
		infos = append(infos, info)
	}
	return f.Store.SaveReleases(ctx, feed.Project, infos, advs)
}

// RefreshDue refreshes the feeds that are due: never fetched, older than
// Interval, or failing with their backoff over. With all, it refreshes every
// feed the fleet runs now.
func (f *Feeds) RefreshDue(ctx context.Context, all bool) (RefreshResult, error) {
	at := f.Analysis.now()
	before, attempt := at.Add(-f.interval()).Add(time.Minute), at
	if all {
		before, attempt = at.Add(time.Second), at.Add(100*365*24*time.Hour)
	}
	projects, err := f.Store.FindDueFeedProjects(ctx, before, attempt)
	if err != nil {
		return RefreshResult{}, err
	}
	return f.refresh(ctx, projects)
}

// refresh refreshes the projects' feeds, Workers at a time.
func (f *Feeds) refresh(ctx context.Context, projects []string) (RefreshResult, error) {
	workers := f.Workers
	if workers <= 0 {
		workers = DefaultFeedWorkers
	}
	var (
		mu    sync.Mutex
		total RefreshResult
		errs  []error
		wg    sync.WaitGroup
		sem   = make(chan struct{}, workers)
	)
	for _, p := range projects {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, res, err := f.RefreshFeed(ctx, p)
			mu.Lock()
			defer mu.Unlock()
			total.Projects += res.Projects
			total.Changed = append(total.Changed, res.Changed...)
			total.Failed = append(total.Failed, res.Failed...)
			total.Sites, total.Opened, total.Resolved = total.Sites+res.Sites, total.Opened+res.Opened, total.Resolved+res.Resolved
			// Fetch failures are recorded on the feed; only store errors fail the run.
			if err != nil && len(res.Failed) == 0 {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// RefreshAdvisories reads the advisory source, stores the advisories, and
// recomputes the projects they concern whose feed is cached.
func (f *Feeds) RefreshAdvisories(ctx context.Context) (RefreshResult, error) {
	var res RefreshResult
	advs, err := f.Fetcher.FetchAdvisories(ctx)
	if err != nil {
		return res, err
	}
	res.Advisories = len(advs)
	if len(advs) > 0 {
		if err := f.Store.SaveAdvisories(ctx, advs); err != nil {
			return res, err
		}
	}
	seen := map[string]bool{}
	for _, a := range advs {
		if a.Project == "" || seen[a.Project] {
			continue
		}
		seen[a.Project] = true
		f.Analysis.forget(a.Project)
		feed, err := f.Store.FindReleaseFeed(ctx, a.Project)
		if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
			continue // no site runs it, or not fetched yet
		} else if err != nil {
			return res, err
		}
		if err := f.saveReleases(ctx, feed); err != nil {
			return res, err
		}
		n, o, r, err := f.Analysis.RecomputeProject(ctx, a.Project)
		if err != nil {
			return res, err
		}
		res.Sites, res.Opened, res.Resolved = res.Sites+n, res.Opened+o, res.Resolved+r
	}
	return res, f.refreshLibraryAdvisories(ctx, &res)
}

// refreshLibraryAdvisories reads the advisories of PHP libraries, stores
// them, and re-judges the sites of each library whose advisories changed.
func (f *Feeds) refreshLibraryAdvisories(ctx context.Context, res *RefreshResult) error {
	if f.Libraries == nil {
		return nil
	}
	set, err := f.Libraries.FetchLibraryAdvisories(ctx)
	if err != nil {
		return err
	}
	advs := set.Advisories()
	res.Advisories += len(advs)
	changed, err := f.Store.SaveLibraryAdvisories(ctx, advs)
	if err != nil {
		return err
	}
	for _, pkg := range changed {
		n, o, r, err := f.Analysis.RecomputeProject(ctx, pkg)
		if err != nil {
			return err
		}
		res.Sites, res.Opened, res.Resolved = res.Sites+n, res.Opened+o, res.Resolved+r
	}
	return nil
}

// Refresh refreshes the advisories and then every feed of the fleet, now:
// the admin's "refresh" button. Admins only.
func (f *Feeds) Refresh(ctx context.Context) (RefreshResult, error) {
	a, err := actor(ctx)
	if err != nil {
		return RefreshResult{}, err
	}
	if !a.IsAdmin() {
		return RefreshResult{}, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only platform admins refresh feeds.")
	}
	return f.RefreshNow(ctx)
}

// RefreshNow refreshes advisories and every feed, for the scheduler and Refresh.
func (f *Feeds) RefreshNow(ctx context.Context) (RefreshResult, error) {
	advRes, advErr := f.RefreshAdvisories(ctx)
	res, err := f.RefreshDue(ctx, true)
	res.Advisories = advRes.Advisories
	res.Sites, res.Opened, res.Resolved = res.Sites+advRes.Sites, res.Opened+advRes.Opened, res.Resolved+advRes.Resolved
	if advErr != nil {
		f.Analysis.Logger.WarnContext(ctx, "advisory refresh failed", "err", advErr)
	}
	return res, err
}
