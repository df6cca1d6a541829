package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestEnqueueAuditLogs_SyncedOnSQLite: the inbox's commit, which a 202
// "durably stored" follows, is synced to disk — synchronous=FULL on SQLite
// (NORMAL would lose it to an OS crash), synchronous_commit on PostgreSQL —
// while the writer's other transactions stay at NORMAL on SQLite.
func TestEnqueueAuditLogs_SyncedOnSQLite(t *testing.T) {
	sqlstoretest.ForEachInTurn(t, func(t *testing.T, s *sqlstore.Store) { // the enqueue hook is the package's
		ctx := context.Background()
		site := mustCreateSite(t, s, mustCreateOrganization(t, s, "acme", 0).ID, "one")
		query, want := `SELECT CAST(synchronous AS TEXT) FROM pragma_synchronous`, "2" // FULL
		if s.Dialect() == "postgres" {
			query, want = `SHOW synchronous_commit`, "on"
		}
		var inTx []string
		defer sqlstore.SetEnqueueHook(func(tx *sql.Tx) {
			var v string
			if err := tx.QueryRowContext(ctx, query).Scan(&v); err != nil {
				t.Error(err)
			}
			inTx = append(inTx, v)
		})()
		for i := range 2 {
			l := &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: fmt.Sprint("snapshot:", i), Data: []byte(`{}`)}
			if err := s.EnqueueAuditLogs(ctx, []*fleetwatch.AuditLog{l}); err != nil {
				t.Fatal(err)
			}
		}
		if len(inTx) != 2 || inTx[0] != want || inTx[1] != want {
			t.Errorf("inbox transactions ran with %s = %v, want %s", query, inTx, want)
		}
		if s.Dialect() == "sqlite" {
			var after string
			if err := s.WriterDB().QueryRowContext(ctx, query).Scan(&after); err != nil || after != "1" {
				t.Errorf("the writer after the inbox: synchronous = %q (%v), want 1 (NORMAL)", after, err)
			}
		}
	})
}

// BenchmarkEnqueueAuditLogs measures one inbox commit of 1 and of 16
// payloads (the inbox batches concurrent pushes), on a database file on
// disk: with synchronous=FULL on SQLite it syncs the WAL.
func BenchmarkEnqueueAuditLogs(b *testing.B) {
	for _, be := range sqlstoretest.Backends(b) {
		for _, n := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/%d", be.Name, n), func(b *testing.B) {
				s := sqlstoretest.MustOpen(b, be)
				ctx := context.Background()
				site := mustCreateSite(b, s, mustCreateOrganization(b, s, "acme", 0).ID, "one")
				data := []byte(`{"snapshot_id":"x","drupal":{"core_version":"10.3.6"},"modules":[]}`)
				seq := 0
				b.ResetTimer()
				for b.Loop() {
					logs := make([]*fleetwatch.AuditLog, n)
					for i := range logs {
						seq++
						logs[i] = &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, ClientID: fmt.Sprint("snapshot:", seq), Data: data}
					}
					if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*n), "ms/payload")
			})
		}
	}
}
