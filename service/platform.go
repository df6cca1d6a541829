package service

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/platform"
)

// Defaults of Platforms.
const (
	// DefaultPlatformRefresh is how often the end-of-life data is fetched
	// again from its URL.
	DefaultPlatformRefresh = 24 * time.Hour
	// DefaultPlatformAnnounce is how often the leader looks for platforms
	// that reached a milestone of their end of life.
	DefaultPlatformAnnounce = time.Hour
)

// PlatformsStore is what Platforms needs of the database. The sqlstore
// methods document each.
type PlatformsStore interface {
	ClaimPlatformNotices(ctx context.Context, notices []fleetwatch.PlatformNotice) ([]fleetwatch.PlatformNotice, error)
	FindReleaseFeed(ctx context.Context, project string) (*fleetwatch.ReleaseFeed, error)
	PlatformSites(ctx context.Context, orgID, siteID int64) ([]*fleetwatch.PlatformSite, error)
	TryLeadership(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error)
}

// Platforms judges the platforms under each site, PHP and Drupal core,
// against their end of life (package platform). The release cycles and
// their dates are the data Fleetwatch ships, refreshed from URL when set;
// whether a Drupal core branch is still supported is drupal.org's
// release-history feed of core, the feed the update analysis reads.
type Platforms struct {
	Store  PlatformsStore
	Events fleetwatch.EventPublisher
	Logger *slog.Logger
	Now    func() time.Time
	// URL, when set, is where fresh data is fetched from, with "{product}"
	// standing for php or drupal (https://endoflife.date/api/{product}.json,
	// file:///srv/eol/{product}.md); Client fetches it (http.DefaultClient).
	URL    string
	Client *http.Client
	// RefreshEvery is how often the data is fetched (DefaultPlatformRefresh);
	// AnnounceEvery how often milestones are looked for (DefaultPlatformAnnounce).
	RefreshEvery  time.Duration
	AnnounceEvery time.Duration

	data atomic.Pointer[platform.Data]

	mu            sync.Mutex
	lastRefresh   time.Time // last attempt
	lastOK        time.Time
	failures      int64
	lastAnnounce  time.Time
	coreHash      string
	coreFeed      *drupal.Project
	announcedKeys map[fleetwatch.PlatformNotice]bool
}

func (p *Platforms) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

// Data returns the end-of-life data in use: the embedded data until a
// refresh succeeds.
func (p *Platforms) Data() *platform.Data {
	if d := p.data.Load(); d != nil {
		return d
	}
	p.data.CompareAndSwap(nil, platform.Embedded())
	return p.data.Load()
}

// PlatformRefreshStats is what the refreshes of the data did, for metrics.
type PlatformRefreshStats struct {
	LastSuccess time.Time // zero before the first
	Failures    int64     // failed refreshes since the start
}

// RefreshStats returns the refreshes' figures.
func (p *Platforms) RefreshStats() PlatformRefreshStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PlatformRefreshStats{LastSuccess: p.lastOK, Failures: p.failures}
}

// Refresh fetches every product's data from URL. A product whose fetch
// fails keeps the data it had, and the failure is logged, counted and
// returned (the first one).
func (p *Platforms) Refresh(ctx context.Context) error {
	if p.URL == "" {
		return nil
	}
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	var first error
	d := p.Data()
	for _, product := range []string{platform.PHP, platform.Drupal} {
		url := strings.ReplaceAll(p.URL, "{product}", product)
		cycles, err := platform.Fetch(ctx, client, url)
		if err != nil {
			p.Logger.WarnContext(ctx, "end-of-life data refresh failed; keeping the data in use", "product", product, "err", err)
			if first == nil {
				first = err
			}
			continue
		}
		d = d.With(product, cycles)
	}
	p.data.Store(d)
	p.mu.Lock()
	p.lastRefresh = p.now()
	if first != nil {
		p.failures++
	} else {
		p.lastOK = p.lastRefresh
	}
	p.mu.Unlock()
	return first
}

// core returns drupal.org's release history of Drupal core as last
// fetched, parsed once per content; nil when none was fetched yet.
func (p *Platforms) core(ctx context.Context) *drupal.Project {
	feed, err := p.Store.FindReleaseFeed(ctx, "drupal")
	if err != nil || len(feed.Body) == 0 {
		if err != nil && fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
			p.Logger.WarnContext(ctx, "platforms: read the release history of core", "err", err)
		}
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if feed.ContentHash != p.coreHash || p.coreFeed == nil {
		proj, err := drupal.ParseReleaseHistory(strings.NewReader(string(feed.Body)))
		if err != nil {
			return nil
		}
		p.coreHash, p.coreFeed = feed.ContentHash, proj
	}
	return p.coreFeed
}

// judge judges the platforms of one site at a time with the data and core
// feed given: PHP first, then Drupal core, each only when reported.
func judge(d *platform.Data, core *drupal.Project, php, drupalVersion string, at time.Time) []fleetwatch.PlatformVerdict {
	out := []fleetwatch.PlatformVerdict{}
	if php != "" {
		out = append(out, verdict(d.Judge(platform.PHP, php, at)))
	}
	if drupalVersion != "" {
		out = append(out, verdict(d.JudgeDrupalCore(drupalVersion, core, at)))
	}
	return out
}

func verdict(v platform.Verdict) fleetwatch.PlatformVerdict {
	out := fleetwatch.PlatformVerdict{Product: v.Product, Name: v.Name, Version: v.Version, Cycle: v.Cycle, Status: v.Status,
		EndsSoon: v.EndsSoon, Message: v.Message}
	if !v.SecurityEnds.IsZero() {
		out.SecurityEnds = ptr(v.SecurityEnds.Format(time.DateOnly))
	}
	return out
}

// Fill sets the Platforms of sites from their reported versions.
func (p *Platforms) Fill(ctx context.Context, sites ...*fleetwatch.Site) {
	if p == nil {
		return
	}
	var core *drupal.Project
	for _, s := range sites {
		if s.CoreVersion != "" {
			core = p.core(ctx)
			break
		}
	}
	d, at := p.Data(), p.now()
	for _, s := range sites {
		if s.CoreVersion != "" || s.PHPVersion != "" {
			s.Platforms = judge(d, core, s.PHPVersion, s.CoreVersion, at)
		}
	}
}

// Report lists the platforms of the sites of sc that are unsupported or
// reach their end of life within 90 days (product "php" or "drupal" for
// one only), ended first, then by end of security support.
func (p *Platforms) Report(ctx context.Context, sc fleetwatch.ReportScope, product string) ([]*fleetwatch.PlatformReportRow, error) {
	sites, err := p.Store.PlatformSites(ctx, sc.OrganizationID, sc.SiteID)
	if err != nil {
		return nil, err
	}
	d, core, at := p.Data(), p.core(ctx), p.now()
	rows := []*fleetwatch.PlatformReportRow{}
	for _, s := range sites {
		for _, v := range judge(d, core, s.PHPVersion, s.CoreVersion, at) {
			if (v.Status != fleetwatch.PlatformEnded && !v.EndsSoon) || (product != "" && v.Product != product) {
				continue
			}
			rows = append(rows, &fleetwatch.PlatformReportRow{OrganizationUUID: s.OrganizationUUID, OrganizationName: s.OrganizationName,
				SiteUUID: s.UUID, SiteName: s.Name, SiteURL: s.URL, Product: v.Product, Version: v.Version, Cycle: v.Cycle,
				Status: v.Status, SecurityEnds: v.SecurityEnds, EndsSoon: v.EndsSoon, Message: v.Message})
		}
	}
	slices.SortStableFunc(rows, func(a, b *fleetwatch.PlatformReportRow) int {
		ae, be := a.Status == fleetwatch.PlatformEnded, b.Status == fleetwatch.PlatformEnded
		switch {
		case ae && !be:
			return -1
		case be && !ae:
			return 1
		}
		return strings.Compare(deref(a.SecurityEnds), deref(b.SecurityEnds))
	})
	return rows, nil
}

// Announce publishes platform.end_of_life for every platform a site runs
// whose security support ends within 90 days, or ended, once per (site,
// product, cycle, milestone): the notice is claimed in the database first.
// It returns how many it announced.
func (p *Platforms) Announce(ctx context.Context) (int, error) {
	sites, err := p.Store.PlatformSites(ctx, 0, 0)
	if err != nil {
		return 0, err
	}
	d, core, at := p.Data(), p.core(ctx), p.now()
	type pending struct {
		site *fleetwatch.PlatformSite
		v    fleetwatch.PlatformVerdict
	}
	byKey := map[fleetwatch.PlatformNotice]pending{}
	var notices []fleetwatch.PlatformNotice
	p.mu.Lock()
	if p.announcedKeys == nil {
		p.announcedKeys = map[fleetwatch.PlatformNotice]bool{}
	}
	for _, s := range sites {
		for _, v := range judge(d, core, s.PHPVersion, s.CoreVersion, at) {
			milestone := ""
			switch {
			case v.Status == fleetwatch.PlatformEnded:
				milestone = fleetwatch.PlatformMilestoneEnded
			case v.EndsSoon:
				milestone = fleetwatch.PlatformMilestoneEndsSoon
			default:
				continue
			}
			key := fleetwatch.PlatformNotice{SiteID: s.ID, Product: v.Product, Cycle: v.Cycle, Milestone: milestone}
			if v.Cycle == "" {
				key.Cycle = v.Version
			}
			// Claimed here before: no need to ask the database again.
			if p.announcedKeys[key] {
				continue
			}
			byKey[key] = pending{s, v}
			n := key
			n.CreatedAt = at
			notices = append(notices, n)
		}
	}
	p.mu.Unlock()
	if len(notices) == 0 {
		return 0, nil
	}
	claimed, err := p.Store.ClaimPlatformNotices(ctx, notices)
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	for _, n := range notices {
		n.CreatedAt = time.Time{}
		p.announcedKeys[n] = true
	}
	p.mu.Unlock()
	for _, n := range claimed {
		n.CreatedAt = time.Time{}
		x := byKey[n]
		publish(ctx, p.Events, fleetwatch.EventPlatformEndOfLife, x.site.OrganizationID, fleetwatch.PlatformEventData{
			SiteID: x.site.UUID, SiteName: x.site.Name, SiteURL: x.site.URL, Product: x.v.Product, Version: x.v.Version,
			Cycle: n.Cycle, Milestone: n.Milestone, SecurityEnds: x.v.SecurityEnds, Message: x.v.Message})
	}
	return len(claimed), nil
}

// tick is the Scheduler's: on every replica, the data is refreshed when
// due; on the leader, milestones are announced when due.
func (p *Platforms) tick(ctx context.Context) {
	refreshEvery, announceEvery := p.RefreshEvery, p.AnnounceEvery
	if refreshEvery <= 0 {
		refreshEvery = DefaultPlatformRefresh
	}
	if announceEvery <= 0 {
		announceEvery = DefaultPlatformAnnounce
	}
	now := p.now()
	p.mu.Lock()
	refresh := p.URL != "" && (p.lastRefresh.IsZero() || now.Sub(p.lastRefresh) >= refreshEvery)
	announce := p.lastAnnounce.IsZero() || now.Sub(p.lastAnnounce) >= announceEvery
	if announce {
		p.lastAnnounce = now
	}
	p.mu.Unlock()
	if refresh {
		_ = p.Refresh(ctx) // logged and counted; the data in use stays
	}
	if !announce {
		return
	}
	_, err := p.Store.TryLeadership(ctx, "platforms", func(ctx context.Context) error {
		n, err := p.Announce(ctx)
		if n > 0 {
			p.Logger.InfoContext(ctx, "platform end-of-life milestones announced", "count", n)
		}
		return err
	})
	if err != nil && ctx.Err() == nil {
		p.Logger.ErrorContext(ctx, "announcing platform end-of-life milestones failed", "err", err)
	}
}
