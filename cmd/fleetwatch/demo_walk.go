package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/demo"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/drupalorg"
	"github.com/fleetwatch/fleetwatch/packagist"
	"github.com/fleetwatch/fleetwatch/service"
)

// feedDelay is how long after a release the demo's server notices it: the
// scheduler polls feeds hourly.
const feedDelay = 20 * time.Minute

// demoStep is one moment of the demo's year: a release published (and
// noticed), or an event of a site.
type demoStep struct {
	at      time.Time
	project *demo.Project
	release int
	event   *demo.Event
}

func newMirrorClient(feedDir, advisoryFile string, logger *slog.Logger) (*drupalorg.Client, error) {
	cfg := drupalorg.Config{FeedURL: "file://" + feedDir, Logger: logger, UserAgent: "Fleetwatch/" + version + " (demo)"}
	if advisoryFile != "" {
		cfg.AdvisoryURL = "file://" + advisoryFile
	}
	c, err := drupalorg.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("drupal.org mirror client: %w", err)
	}
	return c, nil
}

// steps orders the releases and the events of the year.
func (l *demoLoader) steps() []demoStep {
	var out []demoStep
	for _, p := range l.fleet.Projects {
		if p == nil {
			continue
		}
		for i, r := range p.Releases {
			out = append(out, demoStep{at: r.Date, project: p, release: i})
		}
	}
	for i := range l.fleet.Events {
		out = append(out, demoStep{at: l.fleet.Events[i].At, event: &l.fleet.Events[i]})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].event == nil && out[j].event != nil // releases first
	})
	return out
}

// walk plays the year: each release is written to the mirror and noticed
// by the feed refresh, each push goes through ingest, the worker's apply
// and the analysis, each patch run through ingest.
func (l *demoLoader) walk(ctx context.Context) error {
	for _, s := range l.steps() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !s.at.Before(l.nextLibraries) {
			if err := l.readLibraryAdvisories(ctx, s.at); err != nil {
				return err
			}
			l.nextLibraries = s.at.Add(7 * 24 * time.Hour)
		}
		l.clock = s.at
		var err error
		if s.event == nil {
			err = l.publish(ctx, s.project, s.release)
		} else if s.event.Kind == demo.Push {
			err = l.push(ctx, s.event)
		} else {
			err = l.patchRun(ctx, s.event)
		}
		if err != nil {
			return err
		}
	}
	return l.readLibraryAdvisories(ctx, time.Now())
}

// readLibraryAdvisories has the server read the library advisories of the
// mirror published by at, as its weekly refresh would have then: a site
// running a vulnerable library gets its exposure in the week the advisory
// came out (or on its first push, or at the year's start for older ones).
func (l *demoLoader) readLibraryAdvisories(ctx context.Context, at time.Time) error {
	if l.libraries == nil {
		client, err := newMirrorClient(filepath.Join(l.opt.mirror, "release-history"), filepath.Join(l.opt.mirror, "advisories"), l.logger)
		if err != nil {
			return err
		}
		if l.libraries, err = client.FetchLibraryAdvisories(ctx); err != nil {
			return fmt.Errorf("read library advisories: %w", err)
		}
	}
	l.clock = at
	feeds := *l.svc.Feeds
	feeds.Libraries = publishedBy{l.libraries, at}
	if _, err := feeds.RefreshAdvisories(ctx); err != nil {
		return fmt.Errorf("refresh library advisories: %w", err)
	}
	return nil
}

// publishedBy answers the advisories of set published by at.
type publishedBy struct {
	set *packagist.Set
	at  time.Time
}

func (p publishedBy) FetchLibraryAdvisories(context.Context) (*packagist.Set, error) {
	out := packagist.NewSet()
	for _, a := range p.set.Advisories() {
		if !a.Published.After(p.at) {
			out.Add(*a)
		}
	}
	return out, nil
}

// publish writes a project's feed as it is once release i is out, its
// advisory when it is a security release, and has the feed refresh pick
// them up when a site runs the project.
func (l *demoLoader) publish(ctx context.Context, p *demo.Project, i int) error {
	r := p.Releases[i]
	if err := l.writeFeed(p, r.Date); err != nil {
		return err
	}
	if r.Security {
		file, err := l.writeAdvisory(p, r)
		if err != nil {
			return err
		}
		// The advisory is out with the release; a client per advisory
		// file reads just that one, as the scheduler reads the newest.
		client, err := newMirrorClient(filepath.Join(l.opt.mirror, "release-history"), file, l.logger)
		if err != nil {
			return err
		}
		l.clock = r.Date.Add(feedDelay)
		feeds := l.fetcher.FeedFetcher
		l.fetcher.FeedFetcher = client
		_, err = l.svc.Feeds.RefreshAdvisories(ctx)
		l.fetcher.FeedFetcher = feeds
		if err != nil {
			return fmt.Errorf("refresh advisories: %w", err)
		}
	}
	if !l.fetched[p.Name] {
		return nil // no site runs it yet: its first push fetches it
	}
	l.clock = r.Date.Add(feedDelay)
	return l.refresh(ctx, p.Name)
}

func (l *demoLoader) refresh(ctx context.Context, project string) error {
	l.fetched[project] = true
	if _, _, err := l.svc.Feeds.RefreshFeed(ctx, project); err != nil {
		return fmt.Errorf("refresh feed of %s: %w", project, err)
	}
	return nil
}

// writeFeed writes the feed of p as of t, its modification time t (the
// mirror client's Last-Modified).
func (l *demoLoader) writeFeed(p *demo.Project, t time.Time) error {
	dir := filepath.Join(l.opt.mirror, "release-history", p.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	file := filepath.Join(dir, "current")
	if err := os.WriteFile(file, p.Feed(t), 0o644); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	if err := os.Chtimes(file, t, t); err != nil {
		return fmt.Errorf("write feed: %w", err)
	}
	return nil
}

// riskLabels are drupal.org's labels of the severities.
var riskLabels = map[string]string{
	fleetwatch.SeverityHighlyCritical:     "Highly critical",
	fleetwatch.SeverityCritical:           "Critical",
	fleetwatch.SeverityModeratelyCritical: "Moderately critical",
	fleetwatch.SeverityLessCritical:       "Less critical",
	fleetwatch.SeverityNotCritical:        "Not critical",
}

var vulnerabilityTypes = []string{"Access bypass", "Cross site scripting", "Information disclosure", "Cross site request forgery", "Arbitrary PHP code execution"}

// writeAdvisory writes the advisory a security release fixes as a
// drupal.org api-d7 listing of one node, and returns the file.
func (l *demoLoader) writeAdvisory(p *demo.Project, r demo.Release) (string, error) {
	kind, nid := "CONTRIB", fmt.Sprint(1000000+len(p.Name)*7919%99991)
	if p.Name == drupal.CoreProject {
		kind, nid = "CORE", "3060"
	}
	year := r.Date.Year()
	key := fmt.Sprintf("%s-%d", kind, year)
	l.saSeq[key]++
	id := fmt.Sprintf("SA-%s-%d-%03d", kind, year, l.saSeq[key])
	vuln := vulnerabilityTypes[l.saSeq[key]%len(vulnerabilityTypes)]
	node := map[string]any{
		"type":          "sa",
		"nid":           fmt.Sprint(900000 + l.advisories),
		"title":         fmt.Sprintf("%s - %s - %s - %s", p.Name, riskLabels[r.Severity], vuln, id),
		"url":           "https://www.drupal.org/" + strings.ToLower(id),
		"created":       fmt.Sprint(r.Date.Unix()),
		"field_is_psa":  "0",
		"field_project": map[string]any{"id": nid},
		"field_sa_type": vuln,
		"field_sa_solution": map[string]any{"value": fmt.Sprintf(`<p>Install the latest version: <a href="https://www.drupal.org/project/%s/releases/%s">%s %s</a></p>`,
			p.Name, r.Version, p.Name, r.Version)},
	}
	body, err := json.Marshal(map[string]any{"list": []any{node}})
	if err != nil {
		return "", fmt.Errorf("write advisory: %w", err)
	}
	file := filepath.Join(l.opt.mirror, "advisories", id+".json")
	if err := os.WriteFile(file, body, 0o644); err != nil {
		return "", fmt.Errorf("write advisory: %w", err)
	}
	l.advisories++
	return file, nil
}

// siteContext is the context of a push by the site's key.
func (l *demoLoader) siteContext(ctx context.Context, site int) context.Context {
	s := l.sites[site]
	return fleetwatch.NewContextWithActor(ctx, &fleetwatch.Actor{SiteID: s.ID, OrganizationID: s.OrganizationID})
}

// push sends a site's inventory through ingest and has the worker apply it
// with the analysis; then, as the scheduler does, completes rows the
// analyzer left and fetches the feeds of projects seen for the first time.
func (l *demoLoader) push(ctx context.Context, e *demo.Event) error {
	site := l.fleet.Sites[e.Site]
	p := service.InventoryPayload{
		SnapshotID:  fmt.Sprintf("demo-%d-%d", e.Site, e.At.Unix()),
		CollectedAt: e.At.UTC().Format(time.RFC3339),
		Drupal:      service.InventoryDrupal{PHPVersion: site.PHPVersion},
	}
	for _, m := range e.Modules {
		if m.Source == fleetwatch.SourcePackagist {
			p.Libraries = append(p.Libraries, service.InventoryLibrary{Name: m.Name, Version: m.Version})
			continue
		}
		if m.Type == fleetwatch.ModuleTypeCore {
			p.Drupal.CoreVersion = m.Version
		}
		p.Modules = append(p.Modules, service.InventoryModule{Name: m.Name, Type: m.Type, Version: m.Version, Source: m.Source})
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode inventory: %w", err)
	}
	accepted, err := l.svc.Ingest.AcceptInventory(l.siteContext(ctx, e.Site), body)
	if err != nil {
		return fmt.Errorf("push inventory of %s: %w", site.URL, describeError(err))
	}
	if err := l.applyQueued(ctx, accepted); err != nil {
		return err
	}
	l.pushes++
	if _, err := l.svc.Analysis.CompleteStale(ctx); err != nil {
		return fmt.Errorf("complete analysis: %w", err)
	}
	for _, m := range e.Modules {
		if m.Source != fleetwatch.SourceCustom && m.Source != fleetwatch.SourcePackagist && !l.fetched[m.Name] {
			if err := l.refresh(ctx, m.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// patchRun sends a patch run through ingest, as a site's agent does, and
// has the worker apply it.
func (l *demoLoader) patchRun(ctx context.Context, e *demo.Event) error {
	p := service.PatchRunPayload{
		RunID:      fmt.Sprintf("demo-%d-%d", e.Site, e.At.Unix()),
		StartedAt:  e.At.Add(-4 * time.Minute).UTC().Format(time.RFC3339),
		FinishedAt: e.At.UTC().Format(time.RFC3339),
		Status:     fleetwatch.PatchRunSucceeded,
		Tool:       fleetwatch.ToolComposer,
		Notes:      "composer update",
	}
	for _, c := range e.Changes {
		p.Changes = append(p.Changes, fleetwatch.PatchRunChange{Name: c.Name, FromVersion: c.From, ToVersion: c.To})
	}
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode patch run: %w", err)
	}
	accepted, err := l.svc.Ingest.AcceptPatchRun(l.siteContext(ctx, e.Site), body)
	if err != nil {
		return fmt.Errorf("push patch run: %w", describeError(err))
	}
	if err := l.applyQueued(ctx, accepted); err != nil {
		return err
	}
	l.patchRuns++
	return nil
}

// applyQueued has the ingest worker apply what was queued, at the demo's
// clock, and fails when the payload was not applied.
func (l *demoLoader) applyQueued(ctx context.Context, accepted *service.Accepted) error {
	l.applied.Store(0)
	l.svc.Worker.RunOnce(ctx)
	if l.applied.Load() > 0 {
		return nil
	}
	lg, err := l.store.FindAuditLogByUUID(ctx, accepted.ID)
	if err != nil {
		return err
	}
	return fmt.Errorf("payload %s not applied: %s %s", lg.UUID, lg.Status, lg.Error)
}
