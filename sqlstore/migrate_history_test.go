package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestMigrate_HistoryChanges loads a history of validity intervals as
// versions before 00026 kept it, migrates it to change rows, and checks
// that every read gives the same answers: what a site ran at each time
// (with the end of each interval), the outdated spans, and the links of
// site_modules. Site one changed a version (a), had a status split by a
// feed change (a), removed a project (b) and added one (c); site two left
// two intervals starting at the same time (the open one is kept).
func TestMigrate_HistoryChanges(t *testing.T) {
	for _, b := range sqlstoretest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openAtVersion(t, b, 23)
			org := mustCreateOrganization(t, s, "acme", 0)
			one, two := mustCreateSite(t, s, org.ID, "one"), mustCreateSite(t, s, org.ID, "two")
			t0 := time.Now().UTC().Add(-96 * time.Hour).Truncate(time.Second)
			t1, mid, t2 := t0.Add(12*time.Hour), t0.Add(24*time.Hour), t0.Add(36*time.Hour)
			db := s.WriterDB()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%v: %s", err, q)
				}
			}
			module := map[string]int64{}
			for _, name := range []string{"a", "b", "c"} {
				var id int64
				if err := db.QueryRowContext(ctx, `INSERT INTO modules (module_name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
					name, t0).Scan(&id); err != nil {
					t.Fatal(err)
				}
				module[name] = id
			}
			version := map[string]int64{}
			for _, v := range []struct{ project, number string }{{"a", "old"}, {"a", "2.0"}, {"b", "1.0"}, {"c", "3.0"}} {
				var id int64
				if err := db.QueryRowContext(ctx, `INSERT INTO module_versions (module_id, version_number, created_at, updated_at)
					VALUES ($1, $2, $3, $3) RETURNING id`, module[v.project], v.number, t0).Scan(&id); err != nil {
					t.Fatal(err)
				}
				version[v.project+"="+v.number] = id
			}
			interval := func(site int64, project, number, status string, from time.Time, to any) int64 {
				t.Helper()
				var id int64
				if err := db.QueryRowContext(ctx, `INSERT INTO site_module_history (site_id, module_id, version, status, valid_from, valid_to)
					VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, site, module[project], number, status, from, to).Scan(&id); err != nil {
					t.Fatal(err)
				}
				return id
			}
			row := func(site int64, project, number, status string, history int64, from time.Time) {
				exec(`INSERT INTO site_modules (site_id, module_id, current_version_id, status, update_available, security_update,
					created_at, updated_at, analyzed_at, history_id, history_from) VALUES ($1, $2, $3, $4, $5, FALSE, $6, $6, $6, $7, $8)`,
					site, module[project], version[project+"="+number], status, status != "current", t0, history, from)
			}
			interval(one.ID, "a", "old", "not_current", t0, t1)
			interval(one.ID, "a", "old", "current", t1, t2) // a feed change's split at t1
			row(one.ID, "a", "2.0", "current", interval(one.ID, "a", "2.0", "current", t2, nil), t2)
			interval(one.ID, "b", "1.0", "not_current", t0, mid) // removed at mid
			row(one.ID, "c", "3.0", "current", interval(one.ID, "c", "3.0", "current", mid, nil), mid)
			interval(two.ID, "a", "old", "not_current", t0, t1) // shares its start with the open one
			row(two.ID, "a", "old", "not_current", interval(two.ID, "a", "old", "not_current", t0, nil), t0)
			exec(`UPDATE sites SET inventory_collected_at = $1, inventory_hash = 'h' WHERE id = $2`, t2, one.ID)
			exec(`UPDATE sites SET inventory_collected_at = $1, inventory_hash = 'h' WHERE id = $2`, t0, two.ID)

			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkOpenLinks(t, s)
			var changes, removals int
			if err := db.QueryRowContext(ctx, `SELECT count(*), count(*) - count(version) FROM site_module_changes`).Scan(&changes, &removals); err != nil {
				t.Fatal(err)
			}
			if changes != 7 || removals != 1 {
				t.Errorf("%d change rows, %d removals; want 7 and 1 (one per interval, one removal, the duplicate start dropped)", changes, removals)
			}
			for _, c := range []struct {
				site int64
				at   time.Time
				want string
			}{
				{one.ID, t0.Add(-time.Hour), ""},
				{one.ID, t0, "a=old:not_current,b=1.0:not_current"},
				{one.ID, t1, "a=old:current,b=1.0:not_current"},
				{one.ID, mid, "a=old:current,c=3.0:current"},
				{one.ID, t2.Add(time.Hour), "a=2.0:current,c=3.0:current"},
				{two.ID, t1.Add(time.Hour), "a=old:not_current"},
			} {
				if got := historyAt(t, s, c.site, c.at, true); got != c.want {
					t.Errorf("site %d at %v: %s, want %s", c.site, c.at.Sub(t0), got, c.want)
				}
			}
			// The ends are the next changes' starts.
			hs, _, err := s.FindHistory(ctx, fleetwatch.HistoryFilter{ListOptions: fleetwatch.ListOptions{PerPage: 10}, SiteID: one.ID, At: t1})
			if err != nil || len(hs) != 2 {
				t.Fatalf("history at t1: %v %v", hs, err)
			}
			for _, h := range hs {
				want := map[string]time.Time{"a": t2, "b": mid}[h.Name]
				if !h.ValidFrom.Equal(map[string]time.Time{"a": t1, "b": t0}[h.Name]) || h.ValidTo == nil || !h.ValidTo.Equal(want) {
					t.Errorf("%s: [%v, %v), want it to end at %v", h.Name, h.ValidFrom.Sub(t0), h.ValidTo, want.Sub(t0))
				}
			}
			spans, err := s.OutdatedSpans(ctx, fleetwatch.ReportScope{OrganizationID: org.ID, SiteID: one.ID, From: t0, To: t2.Add(time.Hour), Now: t2.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64][2]time.Time{}
			for _, sp := range spans {
				if sp.To == nil {
					t.Fatalf("outdated span of module %d still open", sp.ModuleID)
				}
				got[sp.ModuleID] = [2]time.Time{sp.From, *sp.To}
			}
			if len(got) != 2 || got[module["a"]] != [2]time.Time{t0, t1} || got[module["b"]] != [2]time.Time{t0, mid} {
				t.Errorf("outdated spans: %v, want a [t0, t1) and b [t0, mid)", spans)
			}
			// Pushes go on from the migrated history: one removes c and
			// brings b back, and the history before it stays.
			t3 := t2.Add(12 * time.Hour)
			mustApplyWith(t, s, snapshotOf(one.ID, t3, "a=2.0", "b=1.0"), outdatedAnalyzer{})
			want := map[time.Time]string{
				t3:                "a=2.0:current,b=1.0:current",
				t2.Add(time.Hour): "a=2.0:current,c=3.0:current",
				t1:                "a=old:current,b=1.0:not_current",
				t0:                "a=old:not_current,b=1.0:not_current",
			}
			wantAll := func(when string) {
				t.Helper()
				for at, w := range want {
					if got := historyAt(t, s, one.ID, at, true); got != w {
						t.Errorf("%s, at %v: %s, want %s", when, at.Sub(t0), got, w)
					}
				}
			}
			wantAll("after the push")
			// The way back: 00026's Down rebuilds the interval table with
			// the same answers (and the links), and Up again changes nothing.
			if err := s.MigrateDownTo(ctx, 25); err != nil {
				t.Fatal(err)
			}
			var open int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM site_module_history WHERE valid_to IS NULL`).Scan(&open); err != nil || open != 3 {
				t.Fatalf("%d open intervals in the rebuilt table, want 3: %v", open, err)
			}
			wantAll("after the migration down")
			checkOpenLinks(t, s)
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			wantAll("after the migration up again")
			checkOpenLinks(t, s)
		})
	}
}
