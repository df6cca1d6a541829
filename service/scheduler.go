package service

import (
	"context"
	"time"
)

// Scheduler runs the background work of the update analysis:
//   - the first fetch of projects a site reports for the first time, at once;
//   - every Tick, on the leader only (Store.TryLeadership), the refresh of
//     the advisories and of every due feed, and the announcement of SLA
//     breaches (sla.breached, once each);
//   - every Tick, completing the analysis of rows written without an
//     analyzer (a safety net: the ingest worker's rows are complete, with
//     their exposures, when they commit);
//   - every Tick, the platforms' end-of-life data refreshed when due, and
//     on the leader their milestones announced (Platforms).
type Scheduler struct {
	Feeds *Feeds
	// Tick is how often the leader looks for due feeds and breaches (1
	// minute); feeds are refreshed every Feeds.Interval.
	Tick time.Duration
	// AdvisoryInterval is how often advisories are refreshed (Feeds.Interval).
	AdvisoryInterval time.Duration
	// Platforms, when set, refreshes its end-of-life data and announces
	// the platforms reaching their end of life (Platforms.tick).
	Platforms *Platforms
}

// Run works until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	tick := s.Tick
	if tick <= 0 {
		tick = time.Minute
	}
	f := s.Feeds
	an := f.Analysis
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.firstFetches(ctx)
	}()
	t := time.NewTicker(tick)
	defer t.Stop()
	var lastAdvisories time.Time
	lead := func() {
		_, err := f.Store.TryLeadership(ctx, "feeds", func(ctx context.Context) error {
			advEvery := s.AdvisoryInterval
			if advEvery <= 0 {
				advEvery = f.interval()
			}
			if time.Since(lastAdvisories) >= advEvery {
				lastAdvisories = time.Now()
				if _, err := f.RefreshAdvisories(ctx); err != nil {
					an.Logger.WarnContext(ctx, "advisory refresh failed", "err", err)
				}
			}
			res, err := f.RefreshDue(ctx, false)
			if len(res.Changed) > 0 || len(res.Failed) > 0 {
				an.Logger.InfoContext(ctx, "release feeds refreshed", "checked", res.Projects, "changed", len(res.Changed),
					"failed", len(res.Failed), "sites_changed", res.Sites, "exposures_opened", res.Opened, "exposures_resolved", res.Resolved)
			}
			return err
		})
		if err != nil && ctx.Err() == nil {
			an.Logger.ErrorContext(ctx, "feed refresh failed", "err", err)
		}
		_, err = f.Store.TryLeadership(ctx, "sla-breaches", func(ctx context.Context) error {
			n, err := an.AnnounceBreaches(ctx)
			if n > 0 {
				an.Logger.InfoContext(ctx, "sla breaches announced", "count", n)
			}
			return err
		})
		if err != nil && ctx.Err() == nil {
			an.Logger.ErrorContext(ctx, "announcing sla breaches failed", "err", err)
		}
	}
	complete := func() {
		if _, err := an.CompleteStale(ctx); err != nil && ctx.Err() == nil {
			an.Logger.ErrorContext(ctx, "completing the analysis of stale rows failed", "err", err)
		}
	}
	platforms := func() {
		if s.Platforms != nil {
			s.Platforms.tick(ctx)
		}
	}
	lead()
	complete()
	platforms()
	for {
		select {
		case <-ctx.Done():
			<-done
			return
		case <-t.C:
			lead()
			complete()
			platforms()
		}
	}
}

// firstFetches fetches the feeds of projects sites report for the first
// time, so that a new site does not wait for the next refresh.
func (s *Scheduler) firstFetches(ctx context.Context) {
	f := s.Feeds
	for {
		select {
		case <-ctx.Done():
			return
		case p := <-f.Analysis.fetch:
			// Let the snapshot that reported it commit, so that the
			// recompute after the fetch sees its row.
			select {
			case <-time.After(100 * time.Millisecond):
			case <-ctx.Done():
				return
			}
			if _, err := f.Store.FindReleaseFeed(ctx, p); err == nil {
				continue // fetched meanwhile
			}
			if _, _, err := f.RefreshFeed(ctx, p); err != nil && ctx.Err() == nil {
				f.Analysis.Logger.WarnContext(ctx, "first fetch of a release feed failed", "project", p, "err", err)
			}
		}
	}
}
