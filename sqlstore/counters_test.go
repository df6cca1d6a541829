package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// outdatedAnalyzer judges "old" versions outdated and "bad" ones insecure.
type outdatedAnalyzer struct{}

func (outdatedAnalyzer) Analyze(_ context.Context, changes []fleetwatch.ModuleChange) ([]fleetwatch.ModuleVerdict, error) {
	var out []fleetwatch.ModuleVerdict
	for _, c := range changes {
		v := fleetwatch.ModuleVerdict{SiteID: c.SiteID, ModuleID: c.ModuleID, Status: "current"}
		switch c.ToVersion {
		case "":
			continue
		case "old":
			v.Status, v.UpdateAvailable = "not_current", true
		case "bad":
			v.Status, v.UpdateAvailable, v.SecurityUpdate = "not_secure", true, true
		}
		out = append(out, v)
	}
	return out, nil
}

// TestStore_SummaryCounters checks that applying snapshots keeps each
// site's counters, which the summary adds up, equal to its site_modules.
func TestStore_SummaryCounters(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		apply := func(at time.Time, pairs ...string) {
			t.Helper()
			mustApplyWith(t, s, snapshotOf(site.ID, at, pairs...), outdatedAnalyzer{})
		}
		summary := func() *fleetwatch.SummaryReport {
			r, err := s.Summary(ctx, fleetwatch.ReportScope{OrganizationID: org.ID, Now: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		now := time.Now().UTC()
		apply(now.Add(-3*time.Hour), "a=old", "b=old", "c=bad", "d=1.0")
		if r := summary(); r.UpdatesAvailable != 2 || r.Projects != 4 {
			t.Errorf("after the first push: %d updates, %d projects; want 2, 4", r.UpdatesAvailable, r.Projects)
		}
		apply(now.Add(-2*time.Hour), "a=1.0", "c=bad", "d=old")
		if r := summary(); r.UpdatesAvailable != 1 || r.Projects != 3 {
			t.Errorf("after an update: %d updates, %d projects; want 1, 3", r.UpdatesAvailable, r.Projects)
		}
		if err := s.RebuildCounters(ctx); err != nil {
			t.Fatal(err)
		}
		if r := summary(); r.UpdatesAvailable != 1 {
			t.Errorf("a full recount changed the figure: %d", r.UpdatesAvailable)
		}
	})
}

// TestStore_HistoryFollowsFeedChanges checks that a status change without a
// version change (a feed changed) splits the history, so that past days
// keep the status they had.
func TestStore_HistoryFollowsFeedChanges(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		t0 := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
		l := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
		if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
			t.Fatal(err)
		}
		claimed, _ := s.ClaimAuditLogs(ctx, 1, time.Now())
		if _, err := s.ApplySnapshot(ctx, claimed[0], snapshotOf(site.ID, t0, "a=old"), outdatedAnalyzer{}); err != nil {
			t.Fatal(err)
		}
		mods, _, err := s.FindSiteModules(ctx, fleetwatch.SiteModuleFilter{ListOptions: fleetwatch.ListOptions{PerPage: 10}, SiteID: site.ID})
		if err != nil || len(mods) != 1 {
			t.Fatalf("site modules %v %v", mods, err)
		}
		t1 := t0.Add(24 * time.Hour)
		mustSaveAnalysis(t, s, soleInstall(t, s, "a"), fleetwatch.ModuleVerdict{Status: "current", Fingerprint: "now current"}, t1)
		statusAt := func(at time.Time) string {
			hs, _, err := s.FindHistory(ctx, fleetwatch.HistoryFilter{ListOptions: fleetwatch.ListOptions{PerPage: 10}, SiteID: site.ID, At: at})
			if err != nil || len(hs) != 1 {
				t.Fatalf("history at %v: %v %v", at, hs, err)
			}
			return hs[0].Status
		}
		if got := statusAt(t0.Add(time.Hour)); got != "not_current" {
			t.Errorf("before the feed change: %s, want not_current", got)
		}
		if got := statusAt(t1.Add(time.Hour)); got != "current" {
			t.Errorf("after the feed change: %s, want current", got)
		}
		if ids, err := s.RollupOrganizations(ctx); err != nil || len(ids) != 1 || ids[0] != org.ID {
			t.Errorf("organizations with history: %v %v", ids, err)
		}
		if r, _ := s.Summary(ctx, fleetwatch.ReportScope{OrganizationID: org.ID, Now: time.Now()}); r.UpdatesAvailable != 0 {
			t.Errorf("summary counts %d updates after the feed change", r.UpdatesAvailable)
		}
		checkOpenLinks(t, s)

		// A snapshot collected between the first one and the feed change,
		// pushed after it, replaces both intervals from its collection on;
		// one after it ends the interval the feed change opened.
		mid := t0.Add(12 * time.Hour)
		mustApplyWith(t, s, snapshotOf(site.ID, mid, "a=bad"), outdatedAnalyzer{})
		t2 := t1.Add(12 * time.Hour)
		mustApplyWith(t, s, snapshotOf(site.ID, t2, "a=2.0"), outdatedAnalyzer{})
		wantHistory(t, s, site.ID, t0, map[time.Time]string{
			t0.Add(time.Hour):  "a=old:not_current",
			mid.Add(time.Hour): "a=bad:not_secure",
			t1.Add(time.Hour):  "a=bad:not_secure",
			t2.Add(time.Hour):  "a=2.0:current",
		})
	})
}

// soleInstall returns the one install of project.
func soleInstall(t *testing.T, s *sqlstore.Store, project string) *fleetwatch.Install {
	t.Helper()
	ins, err := s.FindProjectInstalls(context.Background(), project)
	if err != nil || len(ins) != 1 {
		t.Fatalf("installs of %s: %v %v", project, ins, err)
	}
	return ins[0]
}

// mustSaveAnalysis saves a (its result) for the install in, as a feed
// change does at at.
func mustSaveAnalysis(t *testing.T, s *sqlstore.Store, in *fleetwatch.Install, a fleetwatch.ModuleVerdict, at time.Time) {
	t.Helper()
	a.SiteID, a.ModuleID, a.VersionID = in.SiteID, in.ModuleID, in.VersionID
	if _, err := s.SaveAnalyses(context.Background(), []*fleetwatch.ModuleVerdict{&a}, at); err != nil {
		t.Fatal(err)
	}
}

// wantHistory checks the site's history (with statuses) at each time of
// want; t0 names the times in the errors.
func wantHistory(t *testing.T, s *sqlstore.Store, siteID int64, t0 time.Time, want map[time.Time]string) {
	t.Helper()
	for at, w := range want {
		if got := historyAt(t, s, siteID, at, true); got != w {
			t.Errorf("history at %v: %s, want %s", at.Sub(t0), got, w)
		}
	}
}

// TestStore_OutOfOrderOverFeedChange checks an out-of-order snapshot whose
// span [collected, next) holds an interval a feed change opened: the
// snapshot's version fills the span, and what the feed change's interval
// held resumes at next, linked from site_modules.
func TestStore_OutOfOrderOverFeedChange(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		t0 := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
		mid, t1, t3 := t0.Add(12*time.Hour), t0.Add(24*time.Hour), t0.Add(36*time.Hour)
		mustApplyWith(t, s, snapshotOf(site.ID, t0, "a=old"), outdatedAnalyzer{})
		mustApplyWith(t, s, snapshotOf(site.ID, t3, "a=old", "b=1.0"), outdatedAnalyzer{})
		mustSaveAnalysis(t, s, soleInstall(t, s, "a"), fleetwatch.ModuleVerdict{Status: "current", Fingerprint: "now current"}, t1)
		if res := mustApplyWith(t, s, snapshotOf(site.ID, mid, "a=bad"), outdatedAnalyzer{}); !res.OutOfOrder {
			t.Fatalf("not out of order: %+v", res)
		}
		wantHistory(t, s, site.ID, t0, map[time.Time]string{
			t0.Add(time.Hour):  "a=old:not_current",
			mid.Add(time.Hour): "a=bad:unknown",
			t1.Add(time.Hour):  "a=bad:unknown",
			t3.Add(time.Hour):  "a=old:current,b=1.0:current",
		})
	})
}

// TestStore_FeedChangeForAnOldVersion checks that an analysis made for a
// version the site has since moved on from changes neither its row nor its
// history.
func TestStore_FeedChangeForAnOldVersion(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		t0 := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
		mustApplyWith(t, s, snapshotOf(site.ID, t0, "a=old"), outdatedAnalyzer{})
		old := soleInstall(t, s, "a")
		t1 := t0.Add(12 * time.Hour)
		mustApplyWith(t, s, snapshotOf(site.ID, t1, "a=2.0"), outdatedAnalyzer{})
		t2 := t1.Add(12 * time.Hour)
		mustSaveAnalysis(t, s, old, fleetwatch.ModuleVerdict{Status: "not_secure", SecurityUpdate: true, UpdateAvailable: true,
			Fingerprint: "old insecure"}, t2)
		checkOpenLinks(t, s)
		if got := historyAt(t, s, site.ID, t2.Add(time.Hour), true); got != "a=2.0:current" {
			t.Errorf("history after the stale analysis: %s, want a=2.0:current", got)
		}
		if got := current(t, s, site.ID, true); got != "a=2.0:current" {
			t.Errorf("current after the stale analysis: %s, want a=2.0:current", got)
		}
	})
}
