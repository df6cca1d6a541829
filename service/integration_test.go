package service_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// eventLog records what a memory bus carries.
type eventLog struct {
	mu     sync.Mutex
	events []*fleetwatch.Event
}

// newEventLog returns the events service on a memory bus and a log of
// every event it publishes.
func newEventLog(t *testing.T, s *sqlstore.Store) (*service.Events, *eventLog) {
	t.Helper()
	bus := memory.NewEventBus(1000)
	ev := service.NewEvents(bus, s, slog.New(slog.DiscardHandler))
	l := &eventLog{}
	cancel := bus.Subscribe(func(e *fleetwatch.Event) {
		l.mu.Lock()
		l.events = append(l.events, e)
		l.mu.Unlock()
	})
	t.Cleanup(func() { cancel(); ev.Close(); bus.Close() })
	return ev, l
}

// of returns the events of a type, oldest first.
func (l *eventLog) of(typ string) []*fleetwatch.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*fleetwatch.Event
	for _, e := range l.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func exposureData(t *testing.T, e *fleetwatch.Event) fleetwatch.ExposureEventData {
	t.Helper()
	var d fleetwatch.ExposureEventData
	if err := json.Unmarshal(e.Data, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func siteModule(t *testing.T, s *sqlstore.Store, siteID int64, project string) *fleetwatch.SiteModule {
	t.Helper()
	ms, _, err := s.FindSiteModules(context.Background(), fleetwatch.SiteModuleFilter{SiteID: siteID, ListOptions: fleetwatch.ListOptions{PerPage: 500}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == project {
			return m
		}
	}
	t.Fatalf("site %d does not run %s", siteID, project)
	return nil
}

// TestAnalysis_PushPath: a push opens and resolves exposures in the
// snapshot's own transaction, with the whole analysis on the row and the
// organization's policy on the due date; a site that goes back to an
// insecure release opens a new exposure.
func TestAnalysis_PushPath(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, advisoryFile(t, "Moderately critical", "AC:None/A:None/CI:All/II:All/E:Exploit/TD:All"))
		ev, log := newEventLog(t, s)
		in.analysis.Events = ev
		in.analysis.SLA = &service.SLA{Store: s}
		in.feedSrv.publish(t, "aaa_update_test", "aaa_update_test.sec.8.x-1.2.xml")
		in.feedSrv.publish(t, "drupal", "drupal.8.0.1.xml")
		org := mustOrg(t, s, "Agency")
		policy := fleetwatch.DefaultSLAPolicy(org.ID)
		policy.Deadlines.ModeratelyCritical = 10
		policy.ClockStart = fleetwatch.SLAClockDetected
		if err := s.CreateSLAPolicyVersion(ctx, &policy, 0); err != nil {
			t.Fatal(err)
		}
		site := mustSite(t, s, org.ID, "one")

		// Before any feed is known: unknown, never current, no exposure.
		in.push(t, site.ID, "drupal=8.0.1", "aaa_update_test=8.x-1.0")
		if m := siteModule(t, s, site.ID, "aaa_update_test"); m.Status != fleetwatch.ModuleStatusUnknown || len(m.Reasons) == 0 {
			t.Fatalf("before the feed: %+v", m)
		}
		if _, err := in.feeds.RefreshNow(ctx); err != nil {
			t.Fatal(err)
		}
		if got := len(log.of(fleetwatch.EventExposureOpened)); got != 1 {
			t.Fatalf("feed refresh published %d exposure.opened, want 1", got)
		}
		// Upgrade, then downgrade again: resolved at the push, then a new
		// exposure, with nothing left for the scheduler to complete.
		first := in.exposures(t, fleetwatch.ExposureFilter{SiteID: site.ID})
		if len(first) != 1 {
			t.Fatalf("%d exposures after the refresh", len(first))
		}
		res0 := first[0]
		res := in.push(t, site.ID, "drupal=8.0.1", "aaa_update_test=8.x-1.2")
		if len(res.Exposures.Resolved) != 1 || res.SiteUUID != site.UUID || res.OrganizationID != org.ID {
			t.Fatalf("upgrade result = %+v", res)
		}
		resolved0 := res.Exposures.Resolved[0]
		in.now = in.now.Add(time.Hour)
		res = in.push(t, site.ID, "drupal=8.0.1", "aaa_update_test=8.x-1.1")
		if len(res.Exposures.Opened) != 1 {
			t.Fatalf("downgrade opened %d exposures", len(res.Exposures.Opened))
		}
		if stale, err := s.FindStaleSites(ctx, 10); err != nil || len(stale) != 0 {
			t.Fatalf("stale sites after pushes = %v, %v", stale, err)
		}
		m := siteModule(t, s, site.ID, "aaa_update_test")
		if m.Status != "not_secure" || !m.SecurityUpdate || len(m.SecurityUpdates) != 1 || m.SecurityUpdates[0] != "8.x-1.2" ||
			m.Severity == nil || *m.Severity != fleetwatch.SeverityModeratelyCritical || len(m.Reasons) == 0 || m.AlsoAvailable == nil {
			t.Fatalf("site module = %+v", m)
		}
		all := in.exposures(t, fleetwatch.ExposureFilter{SiteID: site.ID})
		open := in.exposures(t, fleetwatch.ExposureFilter{SiteID: site.ID, State: fleetwatch.ExposureOpen})
		if len(all) != 2 || len(open) != 1 || open[0].InstalledVersion != "8.x-1.1" {
			t.Fatalf("exposures = %d, open = %+v", len(all), open)
		}
		e := open[0]
		// Policy: moderately critical in 10 days from detection.
		if !e.DetectedAt.Equal(in.now.Truncate(time.Microsecond)) || !e.ClockStartedAt.Equal(e.DetectedAt) ||
			e.DueAt.Sub(e.ClockStartedAt) != 10*24*time.Hour {
			t.Fatalf("clock = detected %v started %v due %v", e.DetectedAt, e.ClockStartedAt, e.DueAt)
		}
		// The refresh published its opening; the pushes' exposures are in
		// their results, which the worker publishes (TestWorker_Events).
		if got := log.of(fleetwatch.EventExposureOpened); len(got) != 1 || got[0].OrganizationUUID != org.UUID ||
			exposureData(t, got[0]).ExposureID != res0.UUID {
			t.Fatalf("exposure.opened events = %d", len(got))
		}
		if x := res.Exposures.Opened[0]; x.UUID != e.UUID || x.SiteUUID != site.UUID || x.Project != "aaa_update_test" {
			t.Fatalf("opened = %+v", x)
		}
		if x := resolved0; x.UUID != res0.UUID || x.SLAOutcome == nil || *x.SLAOutcome != fleetwatch.SLAWithin || x.ResolvedVersion != "8.x-1.2" {
			t.Fatalf("resolved = %+v", x)
		}

		// A policy change moves the open exposure's due date, not the
		// resolved one's.
		var resolvedBefore *fleetwatch.Exposure
		for _, x := range all {
			if x.State == fleetwatch.ExposureResolved {
				resolvedBefore = x
			}
		}
		sla := &service.SLA{Store: s, Activity: &service.Activity{Store: s, Logger: slog.New(slog.DiscardHandler)}}
		sla.OnPolicyChange(func(ctx context.Context, p *fleetwatch.SLAPolicy) error {
			if err := in.analysis.ApplySLAPolicy(ctx, p); err != nil {
				t.Errorf("policy hook: %v", err)
			}
			return nil
		})
		admin := fleetwatch.NewContextWithActor(ctx, &fleetwatch.Actor{UserID: 0, Role: fleetwatch.RoleAdmin})
		d := policy.Deadlines
		d.ModeratelyCritical = 2
		if _, err := sla.Put(admin, org.UUID, service.SLAPolicyInput{Deadlines: d, ClockStart: fleetwatch.SLAClockDetected}); err != nil {
			t.Fatal(err)
		}
		after, err := s.FindExposureByUUID(ctx, e.UUID)
		if err != nil || after.DueAt.Sub(after.ClockStartedAt) != 2*24*time.Hour {
			t.Fatalf("open exposure after the policy change: %+v, %v", after, err)
		}
		still, err := s.FindExposureByUUID(ctx, resolvedBefore.UUID)
		if err != nil || !still.DueAt.Equal(resolvedBefore.DueAt) || *still.SLAOutcome != *resolvedBefore.SLAOutcome {
			t.Fatalf("resolved exposure after the policy change: %+v, %v", still, err)
		}

		// The breach sweep announces each breach once.
		in.now = after.DueAt.Add(time.Minute)
		if n, err := in.analysis.AnnounceBreaches(ctx); err != nil || n != 1 {
			t.Fatalf("first sweep = %d, %v", n, err)
		}
		if n, err := in.analysis.AnnounceBreaches(ctx); err != nil || n != 0 {
			t.Fatalf("second sweep = %d, %v", n, err)
		}
		if b := log.of(fleetwatch.EventSLABreached); len(b) != 1 || exposureData(t, b[0]).ExposureID != e.UUID {
			t.Fatalf("sla.breached events = %d", len(b))
		}
	})
}

// TestAnalysis_Datestamp: the build time of a dev checkout is stored and
// decides which releases are newer.
func TestAnalysis_Datestamp(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, "")
		in.feedSrv.publish(t, "drupal", "drupal.sec.8.1.0-dev.xml")
		org := mustOrg(t, s, "Agency")
		undated, dated := mustSite(t, s, org.ID, "undated"), mustSite(t, s, org.ID, "dated")
		in.push(t, undated.ID, "drupal=8.1.x-dev")
		in.push(t, dated.ID, "drupal=8.1.x-dev@1000")
		if _, err := in.feeds.RefreshNow(ctx); err != nil {
			t.Fatal(err)
		}
		u, d := siteModule(t, s, undated.ID, "drupal"), siteModule(t, s, dated.ID, "drupal")
		if u.Datestamp != 0 || d.Datestamp != 1000 {
			t.Fatalf("datestamps = %d, %d", u.Datestamp, d.Datestamp)
		}
		if u.Status == d.Status && len(u.SecurityUpdates) == len(d.SecurityUpdates) {
			t.Fatalf("the datestamp changed nothing: undated %+v, dated %+v", u, d)
		}
		// Judged in one call, the two builds of the release keep their own
		// verdicts: a call evaluates a release once per build, not once.
		vs, err := in.analysis.Analyze(ctx, []fleetwatch.ModuleChange{coreChange(undated.ID, org.ID, "8.1.x-dev", 0),
			coreChange(dated.ID, org.ID, "8.1.x-dev", 1000), coreChange(dated.ID+1000, org.ID, "8.1.x-dev", 0)})
		if err != nil || len(vs) != 3 {
			t.Fatalf("Analyze = %d verdicts, %v", len(vs), err)
		}
		if vs[0].Status != u.Status || vs[1].Status != d.Status || vs[2].Status != u.Status ||
			len(vs[0].SecurityUpdates) != len(u.SecurityUpdates) || len(vs[1].SecurityUpdates) != len(d.SecurityUpdates) {
			t.Fatalf("one call judged %s/%d and %s/%d; alone: %s/%d and %s/%d", vs[0].Status, len(vs[0].SecurityUpdates),
				vs[1].Status, len(vs[1].SecurityUpdates), u.Status, len(u.SecurityUpdates), d.Status, len(d.SecurityUpdates))
		}
		// A new build of the same dev version is a change, judged at once.
		res := in.push(t, dated.ID, "drupal=8.1.x-dev@2000000000")
		if len(res.Changes) != 1 || res.Changes[0].Datestamp != 2000000000 {
			t.Fatalf("rebuild changes = %+v", res.Changes)
		}
		if d2 := siteModule(t, s, dated.ID, "drupal"); d2.Datestamp != 2000000000 || d2.Status == fleetwatch.ModuleStatusUnknown {
			t.Fatalf("after the rebuild: %+v", d2)
		}
		h, _, err := s.FindHistory(ctx, fleetwatch.HistoryFilter{SiteID: dated.ID, At: time.Now().Add(time.Hour), ListOptions: fleetwatch.ListOptions{PerPage: 10}})
		if err != nil || len(h) != 1 || h[0].Datestamp != 2000000000 {
			t.Fatalf("history = %+v, %v", h, err)
		}
	})
}

// TestWorker_Events: the worker publishes snapshot.processed,
// exposure.opened and patch_run.recorded after each payload commits.
func TestWorker_Events(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, "")
		in.fetched(t, "aaa_update_test", "aaa_update_test.sec.8.x-1.2.xml")
		ev, log := newEventLog(t, s)
		org := mustOrg(t, s, "Agency")
		site := mustSite(t, s, org.ID, "one")
		w := &service.Worker{Store: s, Analyzer: in.analysis, Events: ev}
		logs := []*fleetwatch.AuditLog{
			{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{"collected_at":"2026-11-25T10:00:00Z",
				"drupal":{"core_version":"10.3.6"},"modules":[{"name":"drupal","type":"core","version":"10.3.6"},
				{"name":"aaa_update_test","type":"module","version":"8.x-1.0"}]}`)},
			{SiteID: site.ID, Kind: fleetwatch.KindPatchRun, Data: []byte(`{"started_at":"2026-11-25T11:00:00Z",
				"finished_at":"2026-11-25T11:05:00Z","status":"succeeded","tool":"composer",
				"changes":[{"name":"aaa_update_test","from_version":"8.x-1.0","to_version":"8.x-1.2"}]}`)},
		}
		if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
			t.Fatal(err)
		}
		if n := w.RunOnce(ctx); n != 2 {
			t.Fatalf("claimed %d", n)
		}
		snaps := log.of(fleetwatch.EventSnapshotProcessed)
		if len(snaps) != 1 || snaps[0].OrganizationUUID != org.UUID {
			t.Fatalf("snapshot.processed = %v", snaps)
		}
		var sd fleetwatch.SnapshotEventData
		if err := json.Unmarshal(snaps[0].Data, &sd); err != nil || sd.SiteID != site.UUID || sd.Changes != 2 || sd.AuditLogID != logs[0].UUID {
			t.Fatalf("snapshot data = %+v, %v", sd, err)
		}
		if got := log.of(fleetwatch.EventExposureOpened); len(got) != 1 {
			t.Fatalf("exposure.opened = %d", len(got))
		}
		runs := log.of(fleetwatch.EventPatchRunRecorded)
		if len(runs) != 1 {
			t.Fatalf("patch_run.recorded = %d", len(runs))
		}
		var pd fleetwatch.PatchRunEventData
		if err := json.Unmarshal(runs[0].Data, &pd); err != nil || pd.SiteID != site.UUID || pd.PatchRunID == "" || pd.Changes != 1 {
			t.Fatalf("patch run data = %+v, %v", pd, err)
		}
	})
}

// TestWorker_Batch: one claim holding several snapshots of several sites —
// new, unchanged, changed — is applied in rounds by concurrent
// transactions over disjoint sites: every payload once, each site left at
// its newest snapshot, its exposure opened and then resolved.
func TestWorker_Batch(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, "")
		in.fetched(t, "aaa_update_test", "aaa_update_test.sec.8.x-1.2.xml")
		ev, log := newEventLog(t, s)
		org := mustOrg(t, s, "Agency")
		inventory := func(at, version string) []byte {
			return []byte(`{"collected_at":"` + at + `","drupal":{"core_version":"10.3.6"},"modules":[{"name":"drupal","type":"core","version":"10.3.6"},
				{"name":"aaa_update_test","type":"module","version":"` + version + `"}]}`)
		}
		var logs []*fleetwatch.AuditLog
		var sites []*fleetwatch.Site
		for _, name := range []string{"one", "two", "three"} {
			sites = append(sites, mustSite(t, s, org.ID, name))
		}
		for _, p := range []struct{ at, version string }{
			{"2026-11-25T10:00:00Z", "8.x-1.0"}, {"2026-11-25T11:00:00Z", "8.x-1.0"}, {"2026-11-25T12:00:00Z", "8.x-1.2"},
		} {
			for _, site := range sites {
				logs = append(logs, &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: inventory(p.at, p.version)})
			}
		}
		if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
			t.Fatal(err)
		}
		w := &service.Worker{Store: s, Analyzer: in.analysis, Events: ev, Concurrency: 2}
		if n := w.RunOnce(ctx); n != len(logs) {
			t.Fatalf("claimed %d", n)
		}
		processed, total, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{Status: fleetwatch.AuditProcessed, ListOptions: fleetwatch.ListOptions{PerPage: 100}})
		if err != nil || total != len(logs) || len(processed) != len(logs) {
			t.Fatalf("processed %d of %d, %v", total, len(logs), err)
		}
		if got := len(log.of(fleetwatch.EventSnapshotProcessed)); got != len(logs) {
			t.Errorf("snapshot.processed = %d, want %d", got, len(logs))
		}
		if got := len(log.of(fleetwatch.EventExposureOpened)); got != len(sites) {
			t.Errorf("exposure.opened = %d, want %d", got, len(sites))
		}
		if got := len(log.of(fleetwatch.EventExposureResolved)); got != len(sites) {
			t.Errorf("exposure.resolved = %d, want %d", got, len(sites))
		}
		for _, site := range sites {
			ms, _, err := s.FindSiteModules(ctx, fleetwatch.SiteModuleFilter{SiteID: site.ID, ListOptions: fleetwatch.ListOptions{PerPage: 10}})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.Name == "aaa_update_test" && (m.Version != "8.x-1.2" || m.Status == fleetwatch.ModuleStatusUnknown || m.SecurityUpdate) {
					t.Errorf("site %s: %+v", site.Name, m)
				}
			}
		}
	})
}

// TestWorker_RepeatsNotDecoded: a push whose accept-time hash repeats its
// site's inventory is applied as unchanged without decoding its payload —
// the payloads here that would not decode prove it — while a site's pushes
// after one that changes its inventory are decoded again.
func TestWorker_RepeatsNotDecoded(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustOrg(t, s, "Agency")
		one, two := mustSite(t, s, org.ID, "one"), mustSite(t, s, org.ID, "two")
		inventory := func(at, version string) []byte {
			return []byte(`{"collected_at":"` + at + `","drupal":{"core_version":"10.3.6"},"modules":[{"name":"drupal","type":"core","version":"10.3.6"},
				{"name":"token","type":"module","version":"` + version + `"}]}`)
		}
		accepted := func(site *fleetwatch.Site, body []byte) *fleetwatch.AuditLog {
			t.Helper()
			_, hash, at, err := service.ValidateInventory(body, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			return &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: body, SnapshotHash: hash, SnapshotCollectedAt: at}
		}
		w := &service.Worker{Store: s, Concurrency: 2}
		run := func(logs ...*fleetwatch.AuditLog) {
			t.Helper()
			if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
				t.Fatal(err)
			}
			if n := w.RunOnce(ctx); n != len(logs) {
				t.Fatalf("claimed %d, want %d", n, len(logs))
			}
		}
		run(accepted(one, inventory("2026-11-25T10:00:00Z", "8.x-1.14")), accepted(two, inventory("2026-11-25T10:00:00Z", "8.x-1.14")))

		garbage := []byte(`{"not decoded`)
		repeat := accepted(one, inventory("2026-11-25T11:00:00Z", "8.x-1.14"))
		repeat.Data = garbage
		other := accepted(two, inventory("2026-11-25T11:00:00Z", "8.x-1.15")) // another hash: decoded
		other.Data = garbage
		change := accepted(one, inventory("2026-11-25T12:00:00Z", "8.x-1.15"))
		back := accepted(one, inventory("2026-11-25T13:00:00Z", "8.x-1.14")) // repeats what one ran before the change
		back.Data = garbage
		run(repeat, other, change, back)

		for _, tc := range []struct {
			name string
			l    *fleetwatch.AuditLog
			want string
		}{
			{"repeat", repeat, fleetwatch.AuditProcessed},
			{"other hash", other, fleetwatch.AuditFailed},
			{"change", change, fleetwatch.AuditProcessed},
			{"after a change", back, fleetwatch.AuditFailed},
		} {
			got, err := s.FindAuditLogByUUID(ctx, tc.l.UUID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.want {
				t.Errorf("%s: %s (%s), want %s", tc.name, got.Status, got.Error, tc.want)
			}
		}
		if m := siteModule(t, s, one.ID, "token"); m.Version != "8.x-1.15" {
			t.Errorf("site one runs token %s, want 8.x-1.15", m.Version)
		}
		states, err := s.InventoryStates(ctx, []int64{one.ID})
		if err != nil {
			t.Fatal(err)
		}
		if at, want := states[one.ID].CollectedAt, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC); at == nil || !at.Equal(want) {
			t.Errorf("site one collected at %v, want %v", at, want)
		}
	})
}

// TestAnalysis_CoverageByDay: a feed's evaluations are remembered, but not
// across days — core coverage ends on a date, and the same release of the
// same feed is judged again on the next day.
func TestAnalysis_CoverageByDay(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, "")
		in.fetched(t, "drupal", "drupal.sec.10.5.0.xml")
		org := mustOrg(t, s, "Agency")
		judge := func(day string) fleetwatch.ModuleVerdict {
			t.Helper()
			at, err := time.Parse(time.DateOnly, day)
			if err != nil {
				t.Fatal(err)
			}
			in.now = at.Add(12 * time.Hour)
			vs, err := in.analysis.Analyze(ctx, []fleetwatch.ModuleChange{coreChange(1, org.ID, "10.5.0", 0)})
			if err != nil || len(vs) != 1 {
				t.Fatalf("Analyze on %s = %d verdicts, %v", day, len(vs), err)
			}
			return vs[0]
		}
		// Drupal 10.5's coverage ends on 2026-06-17.
		before, again, after := judge("2026-06-16"), judge("2026-06-16"), judge("2026-06-18")
		if strings.Join(before.Reasons, "|") != strings.Join(again.Reasons, "|") || before.Status != again.Status {
			t.Fatalf("one day judged twice: %s %q, then %s %q", before.Status, before.Reasons, again.Status, again.Reasons)
		}
		if strings.Join(before.Reasons, "|") == strings.Join(after.Reasons, "|") && before.Status == after.Status {
			t.Fatalf("coverage ended and the verdict stayed %s %q", after.Status, after.Reasons)
		}
	})
}

// coreChange is a site's move to a Drupal core version (and dev build time),
// as the ingest hands it to Analyze.
func coreChange(siteID, orgID int64, version string, datestamp int64) fleetwatch.ModuleChange {
	return fleetwatch.ModuleChange{SiteID: siteID, ModuleID: 1, Project: "drupal", Type: fleetwatch.ModuleTypeCore,
		Source: fleetwatch.SourceDrupalOrg, ToVersion: version, Datestamp: datestamp, OrganizationID: orgID}
}

// TestAnalysis_SnapshotCore: a change is judged with the core version its
// snapshot reports (SiteCoreVersion), without reading the site: a release
// that needs Drupal ^8.1.1 is out of reach on 8.1.0 and not on 8.1.1.
func TestAnalysis_SnapshotCore(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		in := newIntel(t, s, "")
		in.fetched(t, "aaa_update_test", "aaa_update_test.core_compatibility.8.x-1.2_8.x-2.2.xml")
		org := mustOrg(t, s, "Agency")
		judge := func(core string) fleetwatch.ModuleVerdict {
			t.Helper()
			// Site 999 does not exist: the core version can only come from
			// the change.
			vs, err := in.analysis.Analyze(ctx, []fleetwatch.ModuleChange{{SiteID: 999, ModuleID: 1, Project: "aaa_update_test",
				Type: fleetwatch.ModuleTypeModule, Source: fleetwatch.SourceDrupalOrg, ToVersion: "8.x-1.0", OrganizationID: org.ID,
				SiteCoreVersion: core}})
			if err != nil || len(vs) != 1 {
				t.Fatalf("Analyze with core %s = %d verdicts, %v", core, len(vs), err)
			}
			return vs[0]
		}
		const needs = "Release 8.x-2.2 requires Drupal core ^8.1.1, but the site runs 8.1.0."
		if older := judge("8.1.0"); !slices.Contains(older.Reasons, needs) {
			t.Errorf("core 8.1.0: reasons %q, want %q among them", older.Reasons, needs)
		}
		if newer := judge("8.1.1"); slices.ContainsFunc(newer.Reasons, func(r string) bool { return strings.Contains(r, "requires Drupal core") }) {
			t.Errorf("core 8.1.1: reasons %q", newer.Reasons)
		}
	})
}
