package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

func TestStore_SLAPolicy(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		o := mustCreateOrganization(t, s, "Acme", 0)
		u := mustCreateUser(t, s, "boss@acme.example", o.ID, fleetwatch.RoleOrgAdmin)

		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.FindSLAPolicy(ctx, o.ID)
			wantCode(t, err, fleetwatch.ENOTFOUND)
			wantCode(t, s.CreateSLAPolicyVersion(ctx, &fleetwatch.SLAPolicy{OrganizationID: 999999, Deadlines: fleetwatch.DefaultSLAPolicy(0).Deadlines, ClockStart: "published"}, 0), fleetwatch.ENOTFOUND)
		})

		t.Run("Versions", func(t *testing.T) {
			for i, clock := range []string{fleetwatch.SLAClockPublished, fleetwatch.SLAClockDetected} {
				p := fleetwatch.DefaultSLAPolicy(o.ID)
				p.ClockStart = clock
				p.Deadlines.Critical = 5 + i
				if err := s.CreateSLAPolicyVersion(ctx, &p, u.ID); err != nil {
					t.Fatal(err)
				}
				if p.Version != i+1 || p.OrganizationUUID != o.UUID || p.CreatedBy == nil || *p.CreatedBy != u.UUID || p.CreatedAt == nil {
					t.Errorf("saved %+v", p)
				}
			}
			cur, err := s.FindSLAPolicy(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cur.Version != 2 || cur.ClockStart != fleetwatch.SLAClockDetected || cur.Deadlines.Critical != 6 || cur.Deadlines.NotCritical != 90 {
				t.Errorf("current policy %+v", cur)
			}
			all, err := s.FindSLAPolicyVersions(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 2 || all[0].Version != 2 || all[1].Version != 1 {
				t.Errorf("versions %+v", all)
			}
		})
	})
}

func TestStore_EventTicket(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		o := mustCreateOrganization(t, s, "Acme", 0)
		u := mustCreateUser(t, s, "v@acme.example", o.ID, fleetwatch.RoleViewer)
		now := time.Now().UTC()
		tk := &fleetwatch.EventTicket{Hash: "h1", Sealed: []byte("sealed"), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.CreateEventTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		old := &fleetwatch.EventTicket{Hash: "h2", Sealed: []byte("x"), UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(time.Second)}
		if err := s.CreateEventTicket(ctx, old); err != nil {
			t.Fatal(err)
		}
		t.Run("OK", func(t *testing.T) {
			got, err := s.RedeemEventTicket(ctx, "h1", now)
			if err != nil {
				t.Fatal(err)
			}
			if string(got.Sealed) != "sealed" || got.UserID != u.ID {
				t.Errorf("redeemed %+v", got)
			}
		})
		t.Run("ErrNotFound", func(t *testing.T) {
			_, err := s.RedeemEventTicket(ctx, "h1", now)
			wantCode(t, err, fleetwatch.ENOTFOUND) // single use
			_, err = s.RedeemEventTicket(ctx, "h2", now.Add(2*time.Second))
			wantCode(t, err, fleetwatch.ENOTFOUND) // expired
			_, err = s.RedeemEventTicket(ctx, "nope", now)
			wantCode(t, err, fleetwatch.ENOTFOUND)
		})
	})
}

func TestStore_Delivery(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		o := mustCreateOrganization(t, s, "Acme", 0)
		u := mustCreateUser(t, s, "v@acme.example", o.ID, fleetwatch.RoleViewer)
		claim := func() (*fleetwatch.NotificationDelivery, bool) {
			d := &fleetwatch.NotificationDelivery{UserID: u.ID, Channel: fleetwatch.ChannelEmail, Kind: fleetwatch.EventExposureOpened, Key: "1-0", Target: u.Email, Subject: "s"}
			ok, err := s.ClaimDelivery(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			return d, ok
		}
		d, ok := claim()
		if !ok || d.UUID == "" || d.Status != fleetwatch.DeliveryPending {
			t.Fatalf("first claim: %v %+v", ok, d)
		}
		if _, again := claim(); again {
			t.Error("second claim of the same key succeeded")
		}
		at := time.Now().UTC().Truncate(time.Microsecond)
		d.Status, d.Attempts, d.LastError, d.SentAt = fleetwatch.DeliverySent, 2, "", &at
		if err := s.UpdateDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
		wantCode(t, s.UpdateDelivery(ctx, &fleetwatch.NotificationDelivery{ID: 999999}), fleetwatch.ENOTFOUND)
		list, total, err := s.FindDeliveries(ctx, fleetwatch.DeliveryFilter{UserID: u.ID, Status: fleetwatch.DeliverySent, ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 10}})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(list) != 1 || list[0].Attempts != 2 || list[0].SentAt == nil || !list[0].SentAt.Equal(at) {
			t.Errorf("deliveries %d %+v", total, list)
		}
		// A sent delivery is no longer pending: nothing writes it again.
		wantCode(t, s.UpdateDelivery(ctx, d), fleetwatch.ENOTFOUND)
	})
}

// TestStore_DeliveryLease: a pending delivery belongs to its claimer until
// it is due; then one claimer takes it over, and the old owner can neither
// record nor renew it.
func TestStore_DeliveryLease(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		o := mustCreateOrganization(t, s, "Acme", 0)
		u := mustCreateUser(t, s, "v@acme.example", o.ID, fleetwatch.RoleViewer)
		now := time.Now().UTC().Truncate(time.Microsecond)
		claim := func(key string, due time.Time) *fleetwatch.NotificationDelivery {
			t.Helper()
			d := &fleetwatch.NotificationDelivery{UserID: u.ID, Channel: fleetwatch.ChannelWebhook, Kind: fleetwatch.EventSLABreached,
				Key: key, Target: "hooks.example", Subject: "s", Body: `{"text":"` + key + `"}`, NextAttemptAt: &due}
			if ok, err := s.ClaimDelivery(ctx, d); err != nil || !ok || d.Lease == "" || d.Body != `{"text":"`+key+`"}` {
				t.Fatalf("claim %s: %v %v %+v", key, ok, err, d)
			}
			return d
		}
		owned := claim("owned", now.Add(time.Minute))
		late := claim("late", now.Add(-time.Second))
		if got, err := s.ClaimDueDeliveries(ctx, now, now.Add(time.Minute), 10); err != nil || len(got) != 1 || got[0].ID != late.ID ||
			got[0].Body != late.Body || got[0].Lease == late.Lease || !got[0].NextAttemptAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("due deliveries: %+v, %v; want only the late one, under a new lease", got, err)
		} else {
			// The late owner wakes up: its writes are refused.
			late.Attempts, late.LastError = 1, "timeout"
			wantCode(t, s.UpdateDelivery(ctx, late), fleetwatch.ENOTFOUND)
			if ok, err := s.RenewDelivery(ctx, late, now.Add(time.Hour)); err != nil || ok {
				t.Errorf("the old owner renewed: %v %v", ok, err)
			}
			// The new owner records its attempt.
			next := now.Add(2 * time.Minute)
			got[0].Attempts, got[0].LastError, got[0].NextAttemptAt = 1, "500", &next
			if err := s.UpdateDelivery(ctx, got[0]); err != nil {
				t.Fatal(err)
			}
		}
		// Nothing is due now; the owner renews its own lease, and the
		// claimers find it only once that has passed.
		if got, err := s.ClaimDueDeliveries(ctx, now, now.Add(time.Minute), 10); err != nil || len(got) != 0 {
			t.Fatalf("due deliveries: %+v, %v; want none", got, err)
		}
		old := owned.Lease
		if ok, err := s.RenewDelivery(ctx, owned, now.Add(10*time.Minute)); err != nil || !ok || owned.Lease == old {
			t.Fatalf("renew: %v %v %+v", ok, err, owned)
		}
		got, err := s.ClaimDueDeliveries(ctx, now.Add(5*time.Minute), now.Add(6*time.Minute), 10)
		if err != nil || len(got) != 1 || got[0].Key != "late" {
			t.Fatalf("due in 5 minutes: %+v, %v; want the late one only", got, err)
		}
		got, err = s.ClaimDueDeliveries(ctx, now.Add(11*time.Minute), now.Add(12*time.Minute), 1)
		if err != nil || len(got) != 1 {
			t.Fatalf("due in 11 minutes, limit 1: %+v, %v", got, err)
		}
		// Sent and failed deliveries are never due.
		for _, d := range got {
			d.Status, d.Attempts = fleetwatch.DeliveryFailed, 5
			if err := s.UpdateDelivery(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		rest, err := s.ClaimDueDeliveries(ctx, now.Add(time.Hour), now.Add(2*time.Hour), 10)
		if err != nil || len(rest) != 1 || rest[0].ID == got[0].ID {
			t.Fatalf("due in an hour: %+v, %v; want the one still pending", rest, err)
		}
		list, _, err := s.FindDeliveries(ctx, fleetwatch.DeliveryFilter{UserID: u.ID, Status: fleetwatch.DeliveryFailed, ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 10}})
		if err != nil || len(list) != 1 || list[0].NextAttemptAt != nil {
			t.Errorf("failed delivery %+v, %v; want no next attempt", list, err)
		}
	})
}
