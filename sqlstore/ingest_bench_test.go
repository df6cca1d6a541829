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

// benchApply applies one batch of snapshots of sites (one per site, each
// of 100 projects at version v: "old", "bad" or a release) through
// ApplySnapshots, as the worker does, and checks each came out unchanged
// or not as want says.
func benchApply(b *testing.B, s *sqlstore.Store, sites []*fleetwatch.Site, at time.Time, version func(site, project int) string, unchanged bool) {
	b.Helper()
	ctx := context.Background()
	logs := make([]*fleetwatch.AuditLog, len(sites))
	snaps := make([]*fleetwatch.Snapshot, len(sites))
	for i, site := range sites {
		pairs := make([]string, 100)
		for p := range pairs {
			pairs[p] = fmt.Sprintf("p%03d=%s", p, version(i, p))
		}
		snaps[i] = snapshotOf(site.ID, at, pairs...)
		logs[i] = &fleetwatch.AuditLog{SiteID: site.ID, Kind: fleetwatch.KindInventory, Data: []byte(`{}`)}
	}
	if err := s.EnqueueAuditLogs(ctx, logs); err != nil {
		b.Fatal(err)
	}
	claimed, err := s.ClaimAuditLogs(ctx, len(logs), time.Now())
	if err != nil || len(claimed) != len(logs) {
		b.Fatalf("claimed %d of %d: %v", len(claimed), len(logs), err)
	}
	// Claims come back oldest first: the sites' order.
	res, err := s.ApplySnapshots(ctx, claimed, snaps, outdatedAnalyzer{})
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range res {
		if r.Unchanged != unchanged {
			b.Fatalf("unchanged %v, want %v", r.Unchanged, unchanged)
		}
	}
}

// BenchmarkApplySnapshots measures one batch of 32 inventories of 100
// projects applied in one transaction: every project changed (half of
// them opening or resolving an exposure), and the same inventories again
// (the unchanged fast path).
func BenchmarkApplySnapshots(b *testing.B) {
	for _, backend := range sqlstoretest.Backends(b) {
		s := sqlstoretest.MustOpen(b, backend)
		org := mustCreateOrganization(b, s, "bench", 0)
		sites := make([]*fleetwatch.Site, 32)
		for i := range sites {
			sites[i] = mustCreateSite(b, s, org.ID, fmt.Sprintf("site%02d", i))
		}
		at := time.Now().UTC().Add(-time.Duration(b.N+10) * time.Hour).Truncate(time.Second)
		round := 0
		versions := func(site, project int) string {
			switch (round + project) % 4 {
			case 0:
				return "bad"
			case 1:
				return "old"
			}
			return fmt.Sprintf("1.%d", round)
		}
		b.Run(backend.Name+"/changed", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				round++
				at = at.Add(time.Minute)
				benchApply(b, s, sites, at, versions, false)
			}
		})
		b.Run(backend.Name+"/unchanged", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				at = at.Add(time.Minute)
				benchApply(b, s, sites, at, versions, true)
			}
		})
	}
}
