package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestStore_Rollups stores rollups and reads them back, merged scopes
// included, and finds where each organization's history starts.
func TestStore_Rollups(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		var orgs []int64
		for _, name := range []string{"A", "B"} {
			o := &fleetwatch.Organization{Name: name, IsActive: true}
			if err := s.CreateOrganization(ctx, o, 0); err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		rows := []fleetwatch.DailyOutdated{
			{OrganizationID: orgs[0], Day: "2026-11-24", Outdated: 3, LagHistogram: []int{0, 2, 1}, ComputedAt: now},
			{OrganizationID: orgs[1], Day: "2026-11-24", Outdated: 1, LagHistogram: []int{0, 0, 0, 1}, ComputedAt: now},
			{OrganizationID: orgs[0], Day: "2026-11-25", Outdated: 4, LagHistogram: []int{1, 2, 1}, ComputedAt: now},
		}
		if err := s.SaveDailyOutdated(ctx, rows); err != nil {
			t.Fatal(err)
		}
		rows[2].Outdated = 5 // a recomputation replaces the day
		if err := s.SaveDailyOutdated(ctx, rows[2:]); err != nil {
			t.Fatal(err)
		}
		all, err := s.DailyOutdated(ctx, 0, "2026-11-24", "2026-11-25")
		if err != nil || len(all) != 3 || all[2].Outdated != 5 || len(all[1].LagHistogram) != 4 {
			t.Fatalf("all organizations: %+v %v", all, err)
		}
		one, _ := s.DailyOutdated(ctx, orgs[1], "2026-11-01", "2026-11-30")
		if len(one) != 1 || one[0].Day != "2026-11-24" {
			t.Errorf("organization B: %+v", one)
		}
		withHistory, err := s.RollupOrganizations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(withHistory) != 0 {
			t.Errorf("organizations without history are rolled up: %v", withHistory)
		}
	})
}
