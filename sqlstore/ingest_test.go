package sqlstore_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// snapshotOf builds a snapshot of name=version pairs.
func snapshotOf(siteID int64, at time.Time, pairs ...string) *fleetwatch.Snapshot {
	s := &fleetwatch.Snapshot{SiteID: siteID, CollectedAt: at}
	for _, p := range pairs {
		name, version, _ := strings.Cut(p, "=")
		typ := fleetwatch.ModuleTypeModule
		if name == "drupal" {
			typ = fleetwatch.ModuleTypeCore
			s.CoreVersion = version
		}
		s.Projects = append(s.Projects, fleetwatch.SnapshotProject{Name: name, Type: typ, Source: fleetwatch.SourceDrupalOrg, Version: version})
	}
	sort.Slice(s.Projects, func(i, j int) bool { return s.Projects[i].Name < s.Projects[j].Name })
	s.Hash = strings.Join(pairs, ",")
	return s
}

// mustApply queues a payload for the site, claims it and applies snap.
func mustApply(t *testing.T, s *sqlstore.Store, snap *fleetwatch.Snapshot) *fleetwatch.ApplyResult {
	t.Helper()
	return mustApplyWith(t, s, snap, nil)
}

// mustApplyWith is mustApply judging the changes with an.
func mustApplyWith(t *testing.T, s *sqlstore.Store, snap *fleetwatch.Snapshot, an fleetwatch.Analyzer) *fleetwatch.ApplyResult {
	t.Helper()
	ctx := context.Background()
	l := &fleetwatch.AuditLog{SiteID: snap.SiteID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
	if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
		t.Fatal(err)
	}
	claimed, err := s.ClaimAuditLogs(ctx, 1, time.Now())
	if err != nil || len(claimed) != 1 || claimed[0].ID != l.ID {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	res, err := s.ApplySnapshot(ctx, claimed[0], snap, an)
	if err != nil {
		t.Fatal(err)
	}
	checkOpenLinks(t, s)
	return res
}

// versionsAt returns "name=version" of what the site ran at t, sorted.
func versionsAt(t *testing.T, s *sqlstore.Store, siteID int64, at time.Time) string {
	t.Helper()
	return historyAt(t, s, siteID, at, false)
}

// currentVersions returns "name=version" of site_modules, sorted.
func currentVersions(t *testing.T, s *sqlstore.Store, siteID int64) string {
	t.Helper()
	return current(t, s, siteID, false)
}

// historyAt returns "name=version" (with status: "name=version:status") of
// the site's history at t.
func historyAt(t *testing.T, s *sqlstore.Store, siteID int64, at time.Time, status bool) string {
	t.Helper()
	hs, _, err := s.FindHistory(context.Background(), fleetwatch.HistoryFilter{ListOptions: fleetwatch.ListOptions{PerPage: 500}, SiteID: siteID, At: at})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = moduleString(h.Name, h.Version, h.Status, status)
	}
	return strings.Join(out, ",")
}

// current is historyAt for site_modules.
func current(t *testing.T, s *sqlstore.Store, siteID int64, status bool) string {
	t.Helper()
	ms, _, err := s.FindSiteModules(context.Background(), fleetwatch.SiteModuleFilter{ListOptions: fleetwatch.ListOptions{PerPage: 500}, SiteID: siteID})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = moduleString(m.Name, m.Version, m.Status, status)
	}
	return strings.Join(out, ",")
}

func moduleString(name, version, st string, status bool) string {
	if status {
		return name + "=" + version + ":" + st
	}
	return name + "=" + version
}

func TestStore_EnqueueAuditLogs(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		a := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: "snapshot:x", Data: []byte(`{"a":1}`)}
		b := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: "snapshot:x", Data: []byte(`{"a":2}`)}
		c := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
		if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{a, b, c}); err != nil {
			t.Fatal(err)
		}
		if a.Existing || !b.Existing || b.UUID != a.UUID || c.Existing || c.UUID == a.UUID {
			t.Fatalf("dedupe: a=%+v b=%+v c=%+v", a, b, c)
		}
		again := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: "snapshot:x", Data: []byte(`{}`)}
		if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{again}); err != nil || !again.Existing || again.UUID != a.UUID {
			t.Fatalf("repeat: %+v %v", again, err)
		}
		_, total, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{ListOptions: fleetwatch.ListOptions{PerPage: 50}})
		if err != nil || total != 2 {
			t.Fatalf("total %d, %v; want 2", total, err)
		}
	})
}

func TestStore_ClaimAuditLogs(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		var logs []*fleetwatch.AuditLog
		for i := range 40 {
			logs = append(logs, &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindPatchRun, ClientID: fmt.Sprint("run:", i), Data: []byte(`{}`)})
		}
		if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
			t.Fatal(err)
		}
		// Concurrent claimers never share a row.
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.ClaimAuditLogs(ctx, 3, time.Now())
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, l := range got {
						seen[l.ID]++
						if l.Attempts != 1 || string(l.Data) != `{}` {
							t.Errorf("claimed %+v", l)
						}
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Fatalf("claimed %d rows, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("row %d claimed %d times", id, n)
			}
		}
	})
}

func TestStore_ApplySnapshot(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")

		t.Run("First", func(t *testing.T) {
			res := mustApply(t, s, snapshotOf(site.ID, day(10), "drupal=10.3.6", "ctools=4.1.0", "token=8.x-1.15"))
			if res.Unchanged || res.OutOfOrder || len(res.Changes) != 3 {
				t.Fatalf("result %+v", res)
			}
			if got := currentVersions(t, s, site.ID); got != "ctools=4.1.0,drupal=10.3.6,token=8.x-1.15" {
				t.Fatalf("current %s", got)
			}
			got, err := s.FindSiteByID(ctx, site.ID)
			if err != nil || got.CoreVersion != "10.3.6" || got.LastSeenAt == nil || got.FirstSeenAt == nil {
				t.Fatalf("site %+v %v", got, err)
			}
			m, err := s.FindModule(ctx, "ctools", 0)
			if err != nil || m.DrupalLink != "https://www.drupal.org/project/ctools" || m.SitesCount != 1 {
				t.Fatalf("module %+v %v", m, err)
			}
		})
		t.Run("Unchanged", func(t *testing.T) {
			res := mustApply(t, s, snapshotOf(site.ID, day(11), "drupal=10.3.6", "ctools=4.1.0", "token=8.x-1.15"))
			if !res.Unchanged {
				t.Fatalf("result %+v, want unchanged", res)
			}
		})
		t.Run("Changed", func(t *testing.T) {
			res := mustApply(t, s, snapshotOf(site.ID, day(20), "drupal=10.3.7", "ctools=4.1.0", "admin_toolbar=3.5.0"))
			if res.Unchanged || len(res.Changes) != 3 { // core up, admin_toolbar in, token out
				t.Fatalf("result %+v", res)
			}
			if got := currentVersions(t, s, site.ID); got != "admin_toolbar=3.5.0,ctools=4.1.0,drupal=10.3.7" {
				t.Fatalf("current %s", got)
			}
		})
		t.Run("OutOfOrder", func(t *testing.T) {
			// Collected on day 15, between the snapshots of days 11 and 20.
			res := mustApply(t, s, snapshotOf(site.ID, day(15), "drupal=10.3.6", "ctools=4.2.0", "token=8.x-1.15"))
			if !res.OutOfOrder {
				t.Fatalf("result %+v, want out of order", res)
			}
			if got := currentVersions(t, s, site.ID); got != "admin_toolbar=3.5.0,ctools=4.1.0,drupal=10.3.7" {
				t.Fatalf("current state changed: %s", got)
			}
			for _, tc := range []struct {
				at   time.Time
				want string
			}{
				{day(9), ""},
				{day(10), "ctools=4.1.0,drupal=10.3.6,token=8.x-1.15"},
				{day(14), "ctools=4.1.0,drupal=10.3.6,token=8.x-1.15"},
				{day(15), "ctools=4.2.0,drupal=10.3.6,token=8.x-1.15"},
				{day(19), "ctools=4.2.0,drupal=10.3.6,token=8.x-1.15"},
				{day(20), "admin_toolbar=3.5.0,ctools=4.1.0,drupal=10.3.7"},
				{day(28), "admin_toolbar=3.5.0,ctools=4.1.0,drupal=10.3.7"},
			} {
				if got := versionsAt(t, s, site.ID, tc.at); got != tc.want {
					t.Errorf("at %s: %s, want %s", tc.at.Format("Jan 2"), got, tc.want)
				}
			}
		})
		t.Run("ClaimLost", func(t *testing.T) {
			l := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
			if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
				t.Fatal(err)
			}
			claimed, _ := s.ClaimAuditLogs(ctx, 1, time.Now().Add(-time.Hour))
			if n, err := s.RequeueStuckAuditLogs(ctx, time.Now().Add(-time.Minute)); err != nil || n != 1 {
				t.Fatalf("requeue %d %v", n, err)
			}
			again, _ := s.ClaimAuditLogs(ctx, 1, time.Now())
			_, err := s.ApplySnapshot(ctx, claimed[0], snapshotOf(site.ID, day(27), "drupal=11.0.0"), nil)
			wantCode(t, err, fleetwatch.ECONFLICT)
			if _, err := s.ApplySnapshot(ctx, again[0], snapshotOf(site.ID, day(27), "drupal=11.0.0"), nil); err != nil {
				t.Fatal(err)
			}
			if got := currentVersions(t, s, site.ID); got != "drupal=11.0.0" {
				t.Fatalf("current %s", got)
			}
		})
	})
}

func TestStore_AuditLogLifecycle(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		a := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindPatchRun, Data: []byte(`{"x":1}`)}
		b := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindPatchRun, Data: []byte(`{"x":2}`)}
		if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{a, b}); err != nil {
			t.Fatal(err)
		}
		claimed, _ := s.ClaimAuditLogs(ctx, 2, time.Now())
		if err := s.FailAuditLog(ctx, claimed[0], "bad payload", false); err != nil {
			t.Fatal(err)
		}
		pr := &fleetwatch.PatchRun{SiteID: site.ID, RunDate: time.Now(), Status: "succeeded", Tool: "composer",
			Changes: []fleetwatch.PatchRunChange{{Name: "ctools", FromVersion: "4.0.0", ToVersion: "4.1.0"}}}
		if err := s.ApplyPatchRun(ctx, claimed[1], pr); err != nil {
			t.Fatal(err)
		}
		failed, n, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{ListOptions: fleetwatch.ListOptions{PerPage: 50}, Status: "failed"})
		if err != nil || n != 1 || failed[0].Error != "bad payload" || failed[0].Size != 7 {
			t.Fatalf("failed %+v %d %v", failed, n, err)
		}
		runs, n, err := s.FindPatchRuns(ctx, fleetwatch.PatchRunFilter{ListOptions: fleetwatch.ListOptions{PerPage: 50}, SiteID: site.ID})
		if err != nil || n != 1 || runs[0].Changes[0].ToVersion != "4.1.0" || runs[0].AuditLogUUID == nil {
			t.Fatalf("runs %+v %d %v", runs, n, err)
		}
		// Pruning keeps the failed row's data and drops the processed one's.
		if n, err := s.PruneAuditLogs(ctx, time.Now().Add(time.Minute), 100); err != nil || n != 1 {
			t.Fatalf("prune %d %v", n, err)
		}
		if _, err := s.RetryAuditLog(ctx, claimed[1].ID); fleetwatch.ErrorCode(err) != fleetwatch.ECONFLICT {
			t.Fatalf("retry processed: %v", err)
		}
		l, err := s.RetryAuditLog(ctx, claimed[0].ID)
		if err != nil || l.Status != "queued" || l.Error != "" {
			t.Fatalf("retry %+v %v", l, err)
		}
		again, _ := s.ClaimAuditLogs(ctx, 5, time.Now())
		if len(again) != 1 || string(again[0].Data) != `{"x":1}` {
			t.Fatalf("reclaimed %+v", again)
		}
	})
}
