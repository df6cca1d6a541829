package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestStore_HistoryOneWritePerChange checks what history costs: each
// changed, added or removed project of a push adds one row, a feed
// change's status split one row per site, an unchanged project none, and
// no row once written is changed.
func TestStore_HistoryOneWritePerChange(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		t0 := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
		// rows returns the site's history rows, each as its columns.
		rows := func() []string {
			t.Helper()
			rs, err := s.ReaderDB().QueryContext(ctx, `SELECT id, module_id, COALESCE(version, '-'), COALESCE(status, '-'), valid_from
				FROM site_module_changes WHERE site_id = $1 ORDER BY id`, site.ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rs.Close()
			var out []string
			for rs.Next() {
				var (
					id, module      int64
					version, status string
					from            time.Time
				)
				if err := rs.Scan(&id, &module, &version, &status, &from); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%d %d %s %s %s", id, module, version, status, from.UTC().Format(time.RFC3339)))
			}
			if err := rs.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		// step checks that since before, exactly added rows were added and
		// none changed.
		step := func(what string, before []string, added int) []string {
			t.Helper()
			after := rows()
			if len(after) != len(before)+added || !slices.Equal(after[:min(len(before), len(after))], before) {
				t.Fatalf("%s: rows went from\n%v\nto\n%v\nwant %d added, none changed", what, before, after, added)
			}
			return after
		}
		mustApplyWith(t, s, snapshotOf(site.ID, t0, "a=old", "b=1.0", "c=1.0"), outdatedAnalyzer{})
		r := step("first push", nil, 3)
		mustApplyWith(t, s, snapshotOf(site.ID, t0.Add(time.Hour), "a=old", "b=1.0", "c=1.0"), outdatedAnalyzer{})
		r = step("unchanged push", r, 0)
		// a unchanged, b changed, c removed, d added.
		mustApplyWith(t, s, snapshotOf(site.ID, t0.Add(2*time.Hour), "a=old", "b=2.0", "d=1.0"), outdatedAnalyzer{})
		r = step("changed push", r, 3)
		mustSaveAnalysis(t, s, soleInstall(t, s, "a"), fleetwatch.ModuleVerdict{Status: "current", Fingerprint: "now current"}, t0.Add(3*time.Hour))
		r = step("feed change", r, 1)
		checkOpenLinks(t, s)
		wantHistory(t, s, site.ID, t0, map[time.Time]string{
			t0.Add(30 * time.Minute):  "a=old:not_current,b=1.0:current,c=1.0:current",
			t0.Add(150 * time.Minute): "a=old:not_current,b=2.0:current,d=1.0:current",
			t0.Add(4 * time.Hour):     "a=old:current,b=2.0:current,d=1.0:current",
		})
		if len(r) != 7 {
			t.Errorf("%d rows, want 7", len(r))
		}
	})
}
