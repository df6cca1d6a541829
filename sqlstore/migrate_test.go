package sqlstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestMigrate_HistoryLink migrates a history that versions before 00019
// left inconsistent, and checks that 00019 repairs it before linking
// site_modules to their open intervals. A snapshot collected at mid, before
// a feed change at t1 but applied after it, ended only the interval valid
// at mid: the interval the feed change opened stayed open beside the
// snapshot's (site one), or beside none when the snapshot removed the
// project (site two). A row without any open interval (site three) gets
// one from the site's last collection.
func TestMigrate_HistoryLink(t *testing.T) {
	for _, b := range sqlstoretest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openAtVersion(t, b, 18)
			org := mustCreateOrganization(t, s, "acme", 0)
			one, two, three := mustCreateSite(t, s, org.ID, "one"), mustCreateSite(t, s, org.ID, "two"), mustCreateSite(t, s, org.ID, "three")
			t0 := time.Now().UTC().Add(-72 * time.Hour).Truncate(time.Second)
			mid, t1 := t0.Add(12*time.Hour), t0.Add(24*time.Hour)
			db := s.WriterDB()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := db.ExecContext(ctx, q, args...); err != nil {
					t.Fatalf("%v: %s", err, q)
				}
			}
			var a, b int64
			for name, id := range map[string]*int64{"a": &a, "b": &b} {
				if err := db.QueryRowContext(ctx, `INSERT INTO modules (module_name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
					name, t0).Scan(id); err != nil {
					t.Fatal(err)
				}
			}
			version := map[string]int64{}
			for _, v := range []struct {
				module int64
				number string
			}{{a, "old"}, {a, "bad"}, {b, "1.0"}} {
				var id int64
				if err := db.QueryRowContext(ctx, `INSERT INTO module_versions (module_id, version_number, created_at, updated_at)
					VALUES ($1, $2, $3, $3) RETURNING id`, v.module, v.number, t0).Scan(&id); err != nil {
					t.Fatal(err)
				}
				version[v.number] = id
			}
			row := func(site, module, versionID int64, status string) {
				exec(`INSERT INTO site_modules (site_id, module_id, current_version_id, status, update_available, security_update,
					created_at, updated_at, analyzed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $7)`,
					site, module, versionID, status, status != "current", status == "not_secure", t0)
			}
			interval := func(site, module int64, number, status string, from time.Time, to any) {
				exec(`INSERT INTO site_module_history (site_id, module_id, version, status, valid_from, valid_to)
					VALUES ($1, $2, $3, $4, $5, $6)`, site, module, number, status, from, to)
			}
			for _, site := range []int64{one.ID, two.ID} {
				exec(`UPDATE sites SET inventory_collected_at = $1, inventory_hash = 'h' WHERE id = $2`, mid, site)
				row(site, b, version["1.0"], "current")
				interval(site, b, "1.0", "current", t0, nil)
				interval(site, a, "old", "not_current", t0, mid) // ended by the snapshot at mid
				interval(site, a, "old", "current", t1, nil)     // opened by the feed change, left open
			}
			row(one.ID, a, version["bad"], "not_secure")
			interval(one.ID, a, "bad", "not_secure", mid, nil)
			exec(`UPDATE sites SET inventory_collected_at = $1, inventory_hash = 'h' WHERE id = $2`, mid, three.ID)
			row(three.ID, b, version["1.0"], "current")

			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			checkOpenLinks(t, s)
			for _, c := range []struct {
				site int64
				at   time.Time
				want string
			}{
				{one.ID, t0.Add(time.Hour), "a=old:not_current,b=1.0:current"},
				{one.ID, t1.Add(time.Hour), "a=bad:not_secure,b=1.0:current"},
				{two.ID, t0.Add(time.Hour), "a=old:not_current,b=1.0:current"},
				{two.ID, t1.Add(time.Hour), "b=1.0:current"},
				{three.ID, t0.Add(time.Hour), ""},
				{three.ID, mid.Add(time.Hour), "b=1.0:current"},
			} {
				if got := historyAt(t, s, c.site, c.at, true); got != c.want {
					t.Errorf("site %d at %v: %s, want %s", c.site, c.at.Sub(t0), got, c.want)
				}
			}
			// The next push ends the linked interval, and nothing stays open
			// beside it.
			t2 := t1.Add(12 * time.Hour)
			mustApplyWith(t, s, snapshotOf(one.ID, t2, "a=2.0", "b=1.0"), outdatedAnalyzer{})
			if got := historyAt(t, s, one.ID, t2.Add(time.Hour), true); got != "a=2.0:current,b=1.0:current" {
				t.Errorf("after the next push: %s", got)
			}
		})
	}
}

// TestMigrate_DeliveryRetries: 00021 fails the deliveries the old code left
// pending (it kept nothing to resend them with) and keeps the others.
func TestMigrate_DeliveryRetries(t *testing.T) {
	for _, b := range sqlstoretest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openAtVersion(t, b, 20)
			org := mustCreateOrganization(t, s, "acme", 0)
			u := mustCreateUser(t, s, "v@acme.example", org.ID, fleetwatch.RoleViewer)
			t0 := time.Now().UTC().Truncate(time.Second)
			for key, status := range map[string]string{"pending": "pending", "sent": "sent", "failed": "failed"} {
				if _, err := s.WriterDB().ExecContext(ctx, `INSERT INTO notification_deliveries (uuid, user_id, channel, kind, dedupe_key,
					status, attempts, last_error, created_at, updated_at) VALUES ($1, $2, 'email', 'exposure.opened', $3, $4, 1, 'x', $5, $5)`,
					fmt.Sprintf("00000000-0000-4000-8000-%012d", len(key)), u.ID, key, status, t0); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			list, _, err := s.FindDeliveries(ctx, fleetwatch.DeliveryFilter{UserID: u.ID, ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 10}})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, d := range list {
				got[d.Key] = d.Status + ":" + d.LastError
				if d.NextAttemptAt != nil || d.Body != "" {
					t.Errorf("%s: next attempt %v, body %q", d.Key, d.NextAttemptAt, d.Body)
				}
			}
			want := map[string]string{"pending": "failed:interrupted by an upgrade before it was sent", "sent": "sent:x", "failed": "failed:x"}
			if len(got) != 3 || got["pending"] != want["pending"] || got["sent"] != want["sent"] || got["failed"] != want["failed"] {
				t.Errorf("after 00021: %v, want %v", got, want)
			}
			if due, err := s.ClaimDueDeliveries(ctx, t0.Add(time.Hour), t0.Add(2*time.Hour), 10); err != nil || len(due) != 0 {
				t.Errorf("due after the upgrade: %v, %v", due, err)
			}
		})
	}
}

// openAtVersion opens a new database of the backend migrated up to version.
func openAtVersion(t *testing.T, b sqlstoretest.Backend, version int64) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), sqlstoretest.NewDatabaseURL(t, b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.MigrateTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigrate_CountersInGo checks that 00024 drops the counter triggers
// (and SQLite's pause table) and that its Down puts them back as 00017
// left them.
func TestMigrate_CountersInGo(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		triggers := func() int {
			t.Helper()
			q := `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%count%'`
			if s.Dialect() == "postgres" {
				q = `SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%count%'`
			}
			var n int
			if err := s.WriterDB().QueryRowContext(ctx, q).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := triggers(); n != 0 {
			t.Fatalf("%d counter triggers after 00024", n)
		}
		if err := s.MigrateDownTo(ctx, 23); err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"sqlite": 6, "postgres": 5}[s.Dialect()]
		if n := triggers(); n != want {
			t.Fatalf("%d counter triggers after the Down of 00024, want %d", n, want)
		}
		// The triggers count again: a new site is counted (once).
		org := mustCreateOrganization(t, s, "acme", 0)
		if _, err := s.WriterDB().ExecContext(ctx, `INSERT INTO sites (uuid, url, name, organization_id, created_at, updated_at)
			VALUES ('00000000-0000-4000-8000-000000000001', 'https://a.example', 'a', $1, $2, $2)`, org.ID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		r, err := s.Summary(ctx, fleetwatch.ReportScope{OrganizationID: org.ID, Now: time.Now()})
		if err != nil || r.Sites != 1 {
			t.Fatalf("sites counted by the triggers: %v %v", r, err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if n := triggers(); n != 0 {
			t.Fatalf("%d counter triggers after 00024 again", n)
		}
	})
}

// TestMigrate_VerdictReasons: 00042–00044 move each distinct text of
// site_modules.reasons to verdict_reasons once, linked by the rows that held
// it, so that the verdicts read back the same and a fresh analysis with the
// same result finds its fingerprint unchanged; the Downs put the texts back.
func TestMigrate_VerdictReasons(t *testing.T) {
	for _, b := range sqlstoretest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openAtVersion(t, b, 41)
			org := mustCreateOrganization(t, s, "acme", 0)
			one, two := mustCreateSite(t, s, org.ID, "one"), mustCreateSite(t, s, org.ID, "two")
			db := s.WriterDB()
			t0 := time.Now().UTC().Truncate(time.Second)
			long := []string{"GHSA-xxxx-yyyy-zzzz: twig/twig <3.14.2 (fixed in 3.14.2) <&> \"quoted\"", "CVE-2024-45411: sandbox bypass"}
			longJSON, _ := json.Marshal(long)
			rows := map[string]struct {
				site    int64
				reasons string
			}{
				"a": {one.ID, string(longJSON)},
				"b": {one.ID, `[]`},
				"c": {two.ID, string(longJSON)},
				"d": {two.ID, `["Composer cannot read the version."]`},
			}
			for name, r := range rows {
				var module int64
				if err := db.QueryRowContext(ctx, `INSERT INTO modules (module_name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id`,
					name, t0).Scan(&module); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ExecContext(ctx, `INSERT INTO site_modules (site_id, module_id, status, reasons, created_at, updated_at)
					VALUES ($1, $2, 'current', $3, $4, $4)`, r.site, module, r.reasons, t0); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var texts int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM verdict_reasons`).Scan(&texts); err != nil || texts != 2 {
				t.Errorf("verdict_reasons holds %d texts (%v), want 2", texts, err)
			}
			for name, r := range rows {
				ms, _, err := s.FindSiteModules(ctx, fleetwatch.SiteModuleFilter{SiteID: r.site, Module: name})
				if err != nil || len(ms) != 1 {
					t.Fatalf("%s: %v, %v", name, ms, err)
				}
				if got, _ := json.Marshal(ms[0].Reasons); string(got) != r.reasons {
					t.Errorf("%s reasons after the migration: %s, want %s", name, got, r.reasons)
				}
				ins, err := s.FindProjectInstalls(ctx, name)
				if err != nil || len(ins) != 1 {
					t.Fatalf("%s installs: %v, %v", name, ins, err)
				}
				if want := fleetwatch.AnalysisFingerprint("current", "", "", "", nil, nil, fleetwatch.ReasonsDigest(ms[0].Reasons)); ins[0].Fingerprint != want {
					t.Errorf("%s fingerprint after the migration: %q, want %q", name, ins[0].Fingerprint, want)
				}
			}
			if err := s.MigrateDownTo(ctx, 41); err != nil {
				t.Fatal(err)
			}
			for name, r := range rows {
				var got string
				if err := db.QueryRowContext(ctx, `SELECT sm.reasons FROM site_modules sm JOIN modules m ON m.id = sm.module_id
					WHERE m.module_name = $1`, name).Scan(&got); err != nil {
					t.Fatal(err)
				}
				var gotList, wantList []string
				if err := errors.Join(json.Unmarshal([]byte(got), &gotList), json.Unmarshal([]byte(r.reasons), &wantList)); err != nil ||
					!slices.Equal(gotList, wantList) {
					t.Errorf("%s reasons after the Downs: %s, want %s (%v)", name, got, r.reasons, err)
				}
			}
		})
	}
}
