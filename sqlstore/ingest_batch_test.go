package sqlstore_test

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// versionAnalyzer judges a release current when its patch number is 0.
type versionAnalyzer struct{}

func (versionAnalyzer) Analyze(_ context.Context, changes []fleetwatch.ModuleChange) ([]fleetwatch.ModuleVerdict, error) {
	var out []fleetwatch.ModuleVerdict
	for _, ch := range changes {
		if ch.ToVersion == "" {
			continue
		}
		v := fleetwatch.ModuleVerdict{SiteID: ch.SiteID, ModuleID: ch.ModuleID, Status: "current", LatestVersion: ch.ToVersion}
		if !strings.HasSuffix(ch.ToVersion, ".0") {
			v.Status, v.UpdateAvailable, v.LatestVersion = "not_current", true, ch.ToVersion+"1"
		}
		out = append(out, v)
	}
	return out, nil
}

// statusesAt returns "name=version:status" of the site's history at t.
func statusesAt(t *testing.T, s *sqlstore.Store, siteID int64, at time.Time) string {
	t.Helper()
	return historyAt(t, s, siteID, at, true)
}

// currentStatuses returns "name=version:status" of site_modules.
func currentStatuses(t *testing.T, s *sqlstore.Store, siteID int64) string {
	t.Helper()
	return current(t, s, siteID, true)
}

// TestStore_ApplySnapshots checks that a batch — several snapshots of the
// same site (changed, unchanged, changed, out of order, changed) and of
// other sites, applied in rounds — leaves the same state as the snapshots
// applied one by one.
func TestStore_ApplySnapshots(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }
	seq := func(siteID int64) []*fleetwatch.Snapshot {
		return []*fleetwatch.Snapshot{
			snapshotOf(siteID, day(10), "drupal=10.3.6", "ctools=4.1.0", "token=8.x-1.15"),
			snapshotOf(siteID, day(11), "drupal=10.3.6", "ctools=4.1.0", "token=8.x-1.15"),
			snapshotOf(siteID, day(20), "drupal=10.3.7", "ctools=4.1.0", "admin_toolbar=3.5.0"),
			snapshotOf(siteID, day(15), "drupal=10.3.6", "ctools=4.2.0", "token=8.x-1.15"),
			snapshotOf(siteID, day(21), "drupal=10.3.7", "ctools=4.1.1", "admin_toolbar=3.5.0"),
			snapshotOf(siteID, day(22), "drupal=10.3.7", "ctools=4.1.1", "admin_toolbar=3.5.0"),
		}
	}
	// The removed projects are named (type and source too), as events
	// and the analysis see them.
	summary := func(r *fleetwatch.ApplyResult) string {
		var removed []string
		for _, ch := range r.Changes {
			if ch.ToVersion == "" {
				removed = append(removed, ch.Project+"/"+ch.Type+"/"+ch.Source)
			}
		}
		return fmt.Sprintf("unchanged=%t out_of_order=%t changes=%d removed=%v", r.Unchanged, r.OutOfOrder, len(r.Changes), removed)
	}
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		a := mustCreateSite(t, s, org.ID, "a")
		b := mustCreateSite(t, s, org.ID, "b")
		ref := mustCreateSite(t, s, org.ID, "ref")

		// The reference: one by one.
		var want []string
		for _, snap := range seq(ref.ID) {
			want = append(want, summary(mustApplyWith(t, s, snap, versionAnalyzer{})))
		}

		if want[2] != "unchanged=false out_of_order=false changes=3 removed=[token/module/drupal.org]" {
			t.Errorf("the day 20 push: %s", want[2])
		}

		// The batch: the pushes of a and b interleaved, as a worker sorts
		// them (site, then id).
		sa, sb := seq(a.ID), seq(b.ID)
		snapOf := map[int64]*fleetwatch.Snapshot{}
		for i := range sa {
			for _, snap := range []*fleetwatch.Snapshot{sa[i], sb[i]} {
				l := &fleetwatch.AuditLog{SiteID: snap.SiteID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
				if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
					t.Fatal(err)
				}
				snapOf[l.ID] = snap
			}
		}
		logs, err := s.ClaimAuditLogs(ctx, 100, time.Now())
		if err != nil || len(logs) != 2*len(sa) {
			t.Fatalf("claim: %d %v", len(logs), err)
		}
		slices.SortFunc(logs, func(x, y *fleetwatch.AuditLog) int {
			return cmp.Or(cmp.Compare(x.SiteID, y.SiteID), cmp.Compare(x.ID, y.ID))
		})
		snaps := make([]*fleetwatch.Snapshot, len(logs))
		for i, l := range logs {
			snaps[i] = snapOf[l.ID]
		}
		results, err := s.ApplySnapshots(ctx, logs, snaps, versionAnalyzer{})
		if err != nil {
			t.Fatal(err)
		}
		checkOpenLinks(t, s)
		got := map[int64][]string{}
		for i, l := range logs {
			got[l.SiteID] = append(got[l.SiteID], summary(results[i]))
			if results[i].SiteUUID == "" || results[i].OrganizationID != org.ID {
				t.Errorf("result %d without its site: %+v", i, results[i])
			}
		}
		for _, site := range []*fleetwatch.Site{a, b} {
			if !slices.Equal(got[site.ID], want) {
				t.Errorf("site %s results %q, want %q", site.Name, got[site.ID], want)
			}
			if g, w := currentStatuses(t, s, site.ID), currentStatuses(t, s, ref.ID); g != w {
				t.Errorf("site %s current %s, want %s", site.Name, g, w)
			}
			for d := 9; d <= 23; d++ {
				if g, w := statusesAt(t, s, site.ID, day(d)), statusesAt(t, s, ref.ID, day(d)); g != w {
					t.Errorf("site %s on day %d: %s, want %s", site.Name, d, g, w)
				}
			}
			gs, err := s.FindSiteByID(ctx, site.ID)
			if err != nil {
				t.Fatal(err)
			}
			if gs.CoreVersion != "10.3.7" || gs.LastSeenAt == nil || gs.FirstSeenAt == nil {
				t.Errorf("site %+v", gs)
			}
		}
		if got := currentStatuses(t, s, a.ID); got != "admin_toolbar=3.5.0:current,ctools=4.1.1:not_current,drupal=10.3.7:not_current" {
			t.Errorf("current %s", got)
		}
		queued, _, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{Status: fleetwatch.AuditProcessing})
		if err != nil || len(queued) != 0 {
			t.Errorf("still processing: %d %v", len(queued), err)
		}
	})
}

// TestStore_ApplySnapshots_Partial checks the worker's undecoded pushes:
// the accept-time hash and collection time survive the queue, a partial
// snapshot that repeats its site's inventory applies as unchanged (the
// site's times move, the log is processed), and one that would change it —
// another hash, or collected before the current inventory — fails the whole
// batch with ErrSnapshotNotDecoded and changes nothing.
func TestStore_ApplySnapshots_Partial(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		a := mustCreateSite(t, s, org.ID, "a")
		b := mustCreateSite(t, s, org.ID, "b")
		full := snapshotOf(a.ID, day(10), "drupal=10.3.6", "ctools=4.1.0")
		mustApply(t, s, full)
		mustApply(t, s, snapshotOf(b.ID, day(10), "drupal=10.3.6"))

		states, err := s.InventoryStates(ctx, []int64{a.ID, b.ID, a.ID + b.ID + 1000})
		if err != nil {
			t.Fatal(err)
		}
		if st := states[a.ID]; len(states) != 2 || st.Hash != full.Hash || st.CollectedAt == nil || !st.CollectedAt.Equal(day(10)) {
			t.Fatalf("states %+v", states)
		}

		enqueue := func(siteID int64, hash string, collected *time.Time) {
			t.Helper()
			l := &fleetwatch.AuditLog{SiteID: siteID, Kind: fleetwatch.KindInventory, Data: []byte(`not decoded`), SnapshotHash: hash, SnapshotCollectedAt: collected}
			if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
				t.Fatal(err)
			}
		}
		claim := func(n int) []*fleetwatch.AuditLog {
			t.Helper()
			logs, err := s.ClaimAuditLogs(ctx, 10, time.Now())
			if err != nil || len(logs) != n {
				t.Fatalf("claim: %d %v", len(logs), err)
			}
			return logs
		}
		partial := func(l *fleetwatch.AuditLog) *fleetwatch.Snapshot {
			at := l.CreatedAt
			if l.SnapshotCollectedAt != nil {
				at = *l.SnapshotCollectedAt
			}
			return &fleetwatch.Snapshot{SiteID: l.SiteID, CollectedAt: at, Hash: l.SnapshotHash, Partial: true}
		}

		// Repeats: applied as unchanged, without their payloads.
		d12 := day(12)
		enqueue(a.ID, full.Hash, &d12)
		enqueue(b.ID, snapshotOf(b.ID, day(10), "drupal=10.3.6").Hash, nil)
		logs := claim(2)
		if logs[0].SnapshotHash != full.Hash || logs[0].SnapshotCollectedAt == nil || !logs[0].SnapshotCollectedAt.Equal(d12) || logs[1].SnapshotCollectedAt != nil {
			t.Fatalf("claimed %+v %+v", logs[0], logs[1])
		}
		res, err := s.ApplySnapshots(ctx, logs, []*fleetwatch.Snapshot{partial(logs[0]), partial(logs[1])}, versionAnalyzer{})
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].Unchanged || !res[1].Unchanged {
			t.Errorf("results %+v %+v", res[0], res[1])
		}
		if st, err := s.InventoryStates(ctx, []int64{a.ID}); err != nil || !st[a.ID].CollectedAt.Equal(d12) {
			t.Errorf("site a collected %v, %v; want day 12", st[a.ID].CollectedAt, err)
		}
		if got := currentStatuses(t, s, a.ID); got != "ctools=4.1.0:unknown,drupal=10.3.6:unknown" {
			t.Errorf("current %s", got)
		}
		before, err := s.InventoryStates(ctx, []int64{a.ID, b.ID})
		if err != nil {
			t.Fatal(err)
		}

		// A change, or an older collection, must be decoded: nothing moves.
		d11, d13 := day(11), day(13)
		for _, tc := range []struct {
			name string
			hash string
			at   *time.Time
		}{{"Changed", "another", &d13}, {"OutOfOrder", full.Hash, &d11}} {
			enqueue(b.ID, snapshotOf(b.ID, day(10), "drupal=10.3.6").Hash, &d13) // a repeat in the same batch
			enqueue(a.ID, tc.hash, tc.at)
			logs := claim(2)
			_, err := s.ApplySnapshots(ctx, logs, []*fleetwatch.Snapshot{partial(logs[0]), partial(logs[1])}, versionAnalyzer{})
			if !errors.Is(err, fleetwatch.ErrSnapshotNotDecoded) {
				t.Fatalf("%s: err = %v, want ErrSnapshotNotDecoded", tc.name, err)
			}
			processing, _, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{Status: fleetwatch.AuditProcessing})
			if err != nil || len(processing) != 2 {
				t.Errorf("%s: %d still processing (%v), want the 2 of the batch", tc.name, len(processing), err)
			}
			if st, err := s.InventoryStates(ctx, []int64{a.ID, b.ID}); err != nil || !st[a.ID].CollectedAt.Equal(d12) || !st[b.ID].CollectedAt.Equal(*before[b.ID].CollectedAt) {
				t.Errorf("%s: sites moved: %+v %v", tc.name, st, err)
			}
			for _, l := range logs {
				if err := s.FailAuditLog(ctx, l, "test", false); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// TestStore_ApplySnapshots_Overtaken applies one batch of three in-order or
// late snapshots collected at the same time: site x's was overtaken by a
// feed change (applied by the single-snapshot path), site y's is a plain
// change, and site z's is out of order. Each log is finished once, and the
// history and its links hold.
func TestStore_ApplySnapshots_Overtaken(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		x, y, z := mustCreateSite(t, s, org.ID, "x"), mustCreateSite(t, s, org.ID, "y"), mustCreateSite(t, s, org.ID, "z")
		t0 := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
		mid, t1 := t0.Add(12*time.Hour), t0.Add(24*time.Hour)
		for _, id := range []int64{x.ID, y.ID, z.ID} {
			mustApplyWith(t, s, snapshotOf(id, t0, "a=old"), outdatedAnalyzer{})
		}
		mustApplyWith(t, s, snapshotOf(z.ID, t0.Add(30*time.Hour), "a=2.0"), outdatedAnalyzer{})
		ins, err := s.FindProjectInstalls(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range ins {
			if in.SiteID == x.ID {
				mustSaveAnalysis(t, s, in, fleetwatch.ModuleVerdict{Status: "current", Fingerprint: "now current"}, t1)
			}
		}
		for _, id := range []int64{x.ID, y.ID, z.ID} {
			l := &fleetwatch.AuditLog{SiteID: id, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
			if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
				t.Fatal(err)
			}
		}
		claimed, err := s.ClaimAuditLogs(ctx, 10, time.Now())
		if err != nil || len(claimed) != 3 {
			t.Fatalf("claim: %d %v", len(claimed), err)
		}
		slices.SortFunc(claimed, func(a, b *fleetwatch.AuditLog) int { return cmp.Compare(a.SiteID, b.SiteID) })
		snaps := make([]*fleetwatch.Snapshot, len(claimed))
		for i, l := range claimed {
			snaps[i] = snapshotOf(l.SiteID, mid, "a=bad")
		}
		res, err := s.ApplySnapshots(ctx, claimed, snaps, outdatedAnalyzer{})
		if err != nil {
			t.Fatal(err)
		}
		checkOpenLinks(t, s)
		// An out-of-order snapshot changes history only: no changes to
		// report.
		for i, l := range claimed {
			late, changes := l.SiteID == z.ID, 1
			if late {
				changes = 0
			}
			if res[i].OutOfOrder != late || len(res[i].Changes) != changes {
				t.Errorf("site %d: out of order %t, %d changes; want %t, %d", l.SiteID, res[i].OutOfOrder, len(res[i].Changes), late, changes)
			}
		}
		if _, n, err := s.FindAuditLogs(ctx, fleetwatch.AuditLogFilter{Status: fleetwatch.AuditProcessed}); err != nil || n != 7 {
			t.Errorf("processed logs: %d %v, want 7", n, err)
		}
		for _, id := range []int64{x.ID, y.ID} {
			wantHistory(t, s, id, t0, map[time.Time]string{t0.Add(time.Hour): "a=old:not_current",
				mid.Add(time.Hour): "a=bad:not_secure", t1.Add(time.Hour): "a=bad:not_secure"})
		}
		wantHistory(t, s, z.ID, t0, map[time.Time]string{mid.Add(time.Hour): "a=bad:unknown", t0.Add(31 * time.Hour): "a=2.0:current"})
	})
}

// TestStore_WriteSiteModules_Beliefs checks that the site_modules writer
// leaves the same rows whatever it believes of the rows the site has: a
// row believed there but missing is inserted (on PostgreSQL the UPDATE of
// the believed rows misses it, and the writer upserts them all), a row
// believed new but there is updated, not doubled, and a row written by the
// UPDATE (believed there) is stored as the upsert (believed new) stores it,
// column by column.
func TestStore_WriteSiteModules_Beliefs(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		a, b, c := mustCreateSite(t, s, org.ID, "a"), mustCreateSite(t, s, org.ID, "b"), mustCreateSite(t, s, org.ID, "c")
		at := time.Date(2026, 11, 10, 10, 0, 0, 0, time.UTC)
		mustApplyWith(t, s, snapshotOf(a.ID, at, "drupal=10.3.6", "ctools=4.1.0", "token=8.x-1.15"), versionAnalyzer{})
		mustApplyWith(t, s, snapshotOf(b.ID, at, "drupal=10.3.6", "ctools=4.2.0", "admin_toolbar=3.5.0"), versionAnalyzer{})
		mustApplyWith(t, s, snapshotOf(c.ID, at, "drupal=10.3.6", "ctools=4.2.0", "admin_toolbar=3.5.0"), versionAnalyzer{})
		ids := func(name, version string) (module, ver int64) {
			t.Helper()
			if err := s.ReaderDB().QueryRowContext(ctx, `SELECT m.id, v.id FROM modules m JOIN module_versions v ON v.module_id = m.id
				WHERE m.module_name = $1 AND v.version_number = $2`, name, version).Scan(&module, &ver); err != nil {
				t.Fatalf("%s %s: %v", name, version, err)
			}
			return module, ver
		}
		write := func(siteID int64, ws ...sqlstore.SiteModuleWrite) {
			t.Helper()
			if err := s.WriteSiteModules(ctx, siteID, ws, at.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		ctools, ctools420 := ids("ctools", "4.2.0")
		_, ctools410 := ids("ctools", "4.1.0")
		toolbar, toolbar350 := ids("admin_toolbar", "3.5.0")
		token, token115 := ids("token", "8.x-1.15")

		write(a.ID, sqlstore.SiteModuleWrite{ModuleID: ctools, VersionID: ctools420, Existed: true},
			sqlstore.SiteModuleWrite{ModuleID: toolbar, VersionID: toolbar350, Existed: true},
			sqlstore.SiteModuleWrite{ModuleID: token, VersionID: token115})
		want := "admin_toolbar=3.5.0:unknown,ctools=4.2.0:unknown,drupal=10.3.6:not_current,token=8.x-1.15:unknown"
		if got := currentStatuses(t, s, a.ID); got != want {
			t.Errorf("after a missing row believed there and a row believed new:\n got %s\nwant %s", got, want)
		}
		write(a.ID, sqlstore.SiteModuleWrite{ModuleID: ctools, VersionID: ctools410, Existed: true})
		want = strings.Replace(want, "ctools=4.2.0", "ctools=4.1.0", 1)
		if got := currentStatuses(t, s, a.ID); got != want {
			t.Errorf("after an update:\n got %s\nwant %s", got, want)
		}
		var n int
		if err := s.ReaderDB().QueryRowContext(ctx, `SELECT count(*) FROM site_modules WHERE site_id = $1`, a.ID).Scan(&n); err != nil || n != 4 {
			t.Errorf("site_modules rows of the site: %d, %v; want 4", n, err)
		}

		// The same rows, believed there on site b (the UPDATE) and new on
		// site c (the upsert): a judged row with a severity, lists and a
		// history link, and one with none of them.
		from := at.Add(30 * time.Minute)
		rows := []sqlstore.SiteModuleWrite{
			{ModuleID: ctools, VersionID: ctools410, Analyzed: true, Status: "not_secure", Severity: "critical",
				SecurityUpdates: []string{"4.1.1"}, Reasons: []string{"A security update, 4.1.1, is available."}, HistoryID: 999, HistoryFrom: from},
			{ModuleID: toolbar, VersionID: toolbar350},
		}
		believed := slices.Clone(rows)
		for i := range believed {
			believed[i].Existed = true
		}
		write(b.ID, believed...)
		write(c.ID, rows...)
		stored := func(siteID int64) string {
			t.Helper()
			rs, err := s.ReaderDB().QueryContext(ctx, `SELECT module_id, current_version_id, status, update_available, security_update,
				latest_version, recommended_version, security_updates, COALESCE(severity, 'NULL'), also_available,
				COALESCE((SELECT reasons FROM verdict_reasons WHERE id = reasons_id), '[]'), analyzed_at, updated_at, history_id, history_from FROM site_modules WHERE site_id = $1 AND module_id IN ($2, $3) ORDER BY module_id`,
				siteID, ctools, toolbar)
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			var out []string
			for rs.Next() {
				var (
					module, version                        int64
					status, latest, rec, sec, sev, also, r string
					update, security                       bool
					analyzed, historyFrom                  sql.NullTime
					updated                                time.Time
					history                                sql.NullInt64
				)
				if err := rs.Scan(&module, &version, &status, &update, &security, &latest, &rec, &sec, &sev, &also, &r,
					&analyzed, &updated, &history, &historyFrom); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprint(module, version, status, update, security, latest, rec, strings.ReplaceAll(sec, " ", ""), sev,
					strings.ReplaceAll(also, " ", ""), strings.ReplaceAll(r, " ", ""), analyzed.Valid, analyzed.Time.UTC(), updated.UTC(),
					history, historyFrom.Valid, historyFrom.Time.UTC()))
			}
			if err := rs.Err(); err != nil {
				t.Fatal(err)
			}
			return strings.Join(out, "\n")
		}
		byUpdate, byUpsert := stored(b.ID), stored(c.ID)
		if byUpdate != byUpsert {
			t.Errorf("rows written by the UPDATE and by the upsert differ:\n%s\n--\n%s", byUpdate, byUpsert)
		}
		for _, w := range []string{"critical", "[\"4.1.1\"]", "{999 true}", "NULL"} {
			if !strings.Contains(byUpsert, w) {
				t.Errorf("stored rows lack %s:\n%s", w, byUpsert)
			}
		}
	})
}
