package service_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// outageStore is a store whose applications fail as sqlstore reports a
// database that is down or full, while outages is above zero.
type outageStore struct {
	service.WorkerStore
	code    string
	outages atomic.Int32
}

func (s *outageStore) outage() error {
	if s.outages.Add(-1) < 0 {
		return nil
	}
	return &fleetwatch.Error{Code: s.code, Message: "The database is out.", RetryAfter: 5}
}

func (s *outageStore) ApplySnapshot(ctx context.Context, l *fleetwatch.AuditLog, snap *fleetwatch.Snapshot, an fleetwatch.Analyzer) (*fleetwatch.ApplyResult, error) {
	if err := s.outage(); err != nil {
		return nil, err
	}
	return s.WorkerStore.ApplySnapshot(ctx, l, snap, an)
}

func (s *outageStore) ApplyPatchRun(ctx context.Context, l *fleetwatch.AuditLog, pr *fleetwatch.PatchRun) error {
	if err := s.outage(); err != nil {
		return err
	}
	return s.WorkerStore.ApplyPatchRun(ctx, l, pr)
}

// TestWorker_OutageRequeues: a payload whose application meets an
// unreachable or full database goes back to the queue, however often that
// happens, without spending its attempts, and is applied once the database
// is back; it is never failed for it.
func TestWorker_OutageRequeues(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		for _, code := range []string{fleetwatch.EUNAVAILABLE, fleetwatch.ESTORAGEFULL} {
			t.Run(code, func(t *testing.T) {
				ctx := context.Background()
				site := mustSite(t, s, mustOrg(t, s, "Agency "+code).ID, "one")
				logs := []*fleetwatch.AuditLog{
					{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{"collected_at":"2026-11-25T10:00:00Z",
						"drupal":{"core_version":"10.3.6"},"modules":[{"name":"drupal","type":"core","version":"10.3.6"}]}`)},
					{SiteID: site.ID, Kind: fleetwatch.KindPatchRun, Data: []byte(`{"started_at":"2026-11-25T11:00:00Z",
						"finished_at":"2026-11-25T11:05:00Z","status":"succeeded","tool":"composer","changes":[]}`)},
				}
				if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
					t.Fatal(err)
				}
				store := &outageStore{WorkerStore: s, code: code}
				w := &service.Worker{Store: store}
				// More rounds of outage than a payload has attempts.
				const rounds = 6
				store.outages.Store(int32(rounds * len(logs)))
				for round := range rounds {
					if n := w.RunOnce(ctx); n != len(logs) {
						t.Fatalf("round %d: claimed %d, want %d", round, n, len(logs))
					}
					for _, l := range logs {
						got, err := s.FindAuditLogByUUID(ctx, l.UUID)
						if err != nil {
							t.Fatal(err)
						}
						if got.Status != fleetwatch.AuditQueued || got.Attempts != 0 || got.Error == "" {
							t.Fatalf("round %d: %s is %s after %d attempts (%q), want queued again, no attempt counted, the outage named",
								round, got.Kind, got.Status, got.Attempts, got.Error)
						}
					}
				}
				if n := w.RunOnce(ctx); n != len(logs) {
					t.Fatalf("after the outage: claimed %d", n)
				}
				for _, l := range logs {
					got, err := s.FindAuditLogByUUID(ctx, l.UUID)
					if err != nil {
						t.Fatal(err)
					}
					if got.Status != fleetwatch.AuditProcessed || got.Attempts != 1 || got.Error != "" {
						t.Errorf("%s after the outage: %s, %d attempts, %q; want processed at the first real attempt", got.Kind, got.Status, got.Attempts, got.Error)
					}
				}
			})
		}
	})
}
