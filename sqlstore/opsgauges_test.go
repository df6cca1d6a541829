package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestStore_ReadOpsGauges reads the scrape-time gauges of a queue with
// payloads in every state the gauges count.
func TestStore_ReadOpsGauges(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		g, err := s.ReadOpsGauges(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Payloads) != 0 || g.OldestQueued != nil || g.FeedsLastFetched != nil || g.OverdueExposures != 0 {
			t.Fatalf("gauges of an empty database: %+v", g)
		}
		org := mustCreateOrganization(t, s, "acme", 0)
		site := mustCreateSite(t, s, org.ID, "one")
		var logs []*fleetwatch.AuditLog
		for i := range 5 {
			logs = append(logs, &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindPatchRun, ClientID: fmt.Sprint("run:", i), Data: []byte(`{}`)})
		}
		before := time.Now().UTC().Add(-time.Second)
		if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
			t.Fatal(err)
		}
		claimed, err := s.ClaimAuditLogs(ctx, 2, time.Now())
		if err != nil || len(claimed) != 2 {
			t.Fatalf("claim: %d %v", len(claimed), err)
		}
		if err := s.FailAuditLog(ctx, claimed[0], "broken", false); err != nil {
			t.Fatal(err)
		}
		g, err = s.ReadOpsGauges(ctx, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{fleetwatch.AuditQueued: 3, fleetwatch.AuditProcessing: 1, fleetwatch.AuditFailed: 1}
		for st, n := range want {
			if g.Payloads[st] != n {
				t.Errorf("payloads %s = %d, want %d (%v)", st, g.Payloads[st], n, g.Payloads)
			}
		}
		if g.OldestQueued == nil || g.OldestQueued.Before(before) || g.OldestQueued.After(time.Now()) {
			t.Errorf("oldest queued %v, want about now", g.OldestQueued)
		}
	})
}
