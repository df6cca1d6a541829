package servicetest

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// The delivery log, the exposures the digests count and the event tickets:
// what the Notifier and Events need (service.NotifierStore,
// service.EventsStore).

type deliveryKey struct {
	user          int64
	channel, name string
}

// ClaimDelivery inserts d as pending unless a delivery with the same
// (UserID, Channel, Key) exists, and reports whether it did; it fills ID,
// UUID (unless set), Lease and the timestamps.
func (s *Store) ClaimDelivery(_ context.Context, d *fleetwatch.NotificationDelivery) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := deliveryKey{d.UserID, d.Channel, d.Key}
	for _, o := range s.deliveries {
		if (deliveryKey{o.UserID, o.Channel, o.Key}) == k {
			return false, nil
		}
	}
	id, uuid := s.next()
	d.ID, d.Lease = id, s.lease()
	if d.UUID == "" {
		d.UUID = uuid
	}
	d.Status, d.Attempts, d.LastError = fleetwatch.DeliveryPending, 0, ""
	d.CreatedAt, d.UpdatedAt = s.now(), s.now()
	c := *d
	s.deliveries = append(s.deliveries, &c)
	return true, nil
}

// lease returns a new lease token (callers hold mu).
func (s *Store) lease() string {
	_, uuid := s.next()
	return uuid
}

// owned returns the pending delivery d's lease still owns, or nil
// (callers hold mu).
func (s *Store) owned(d *fleetwatch.NotificationDelivery) *fleetwatch.NotificationDelivery {
	for _, o := range s.deliveries {
		if o.ID == d.ID && o.Lease == d.Lease && o.Status == fleetwatch.DeliveryPending {
			return o
		}
	}
	return nil
}

// UpdateDelivery records an attempt while d.Lease owns the delivery;
// ENOTFOUND otherwise.
func (s *Store) UpdateDelivery(_ context.Context, d *fleetwatch.NotificationDelivery) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.owned(d)
	if o == nil {
		return notFound("Delivery")
	}
	if d.Status != fleetwatch.DeliveryPending {
		d.NextAttemptAt = nil
	}
	d.UpdatedAt = s.now()
	o.Status, o.Attempts, o.LastError, o.SentAt, o.NextAttemptAt, o.UpdatedAt =
		d.Status, d.Attempts, d.LastError, d.SentAt, d.NextAttemptAt, d.UpdatedAt
	return nil
}

// RenewDelivery claims a pending delivery d owns again, for an attempt at
// at, under a new lease; false when d.Lease no longer owns it.
func (s *Store) RenewDelivery(_ context.Context, d *fleetwatch.NotificationDelivery, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.owned(d)
	if o == nil {
		return false, nil
	}
	at = at.UTC()
	o.Lease, o.NextAttemptAt = s.lease(), &at
	d.Lease, d.NextAttemptAt = o.Lease, &at
	return true, nil
}

// ClaimDueDeliveries takes over up to limit pending deliveries due by due,
// oldest due first, under one new lease, for an attempt at at.
func (s *Store) ClaimDueDeliveries(_ context.Context, due, at time.Time, limit int) ([]*fleetwatch.NotificationDelivery, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ready []*fleetwatch.NotificationDelivery
	for _, o := range s.deliveries {
		if o.Status == fleetwatch.DeliveryPending && o.NextAttemptAt != nil && !o.NextAttemptAt.After(due) {
			ready = append(ready, o)
		}
	}
	slices.SortFunc(ready, func(a, b *fleetwatch.NotificationDelivery) int {
		return cmp.Or(a.NextAttemptAt.Compare(*b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	ready = ready[:min(limit, len(ready))]
	lease, at := s.lease(), at.UTC()
	out := make([]*fleetwatch.NotificationDelivery, 0, len(ready))
	for _, o := range ready {
		o.Lease, o.NextAttemptAt = lease, &at
		c := *o
		out = append(out, &c)
	}
	slices.SortFunc(out, func(a, b *fleetwatch.NotificationDelivery) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FindDeliveries returns a page of the deliveries of f's user, channel and
// status, newest first; it ignores the search and the sort.
func (s *Store) FindDeliveries(_ context.Context, f fleetwatch.DeliveryFilter) ([]*fleetwatch.NotificationDelivery, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*fleetwatch.NotificationDelivery
	for _, o := range slices.Backward(s.deliveries) {
		if (f.UserID == 0 || o.UserID == f.UserID) && (f.Channel == "" || o.Channel == f.Channel) && (f.Status == "" || o.Status == f.Status) {
			c := *o
			all = append(all, &c)
		}
	}
	return fleetwatch.PageOf(all, f.ListOptions), len(all), nil
}

// AddExposure stores an exposure as the analysis would have opened it,
// filling ID and UUID.
func (s *Store) AddExposure(e *fleetwatch.Exposure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.ID, e.UUID = s.next()
	c := *e
	s.exposures = append(s.exposures, &c)
}

// FindExposures returns a page of the exposures of f's organization (0:
// all), site, project, severity and state, by due date; it ignores
// OverdueAt, the search and the sort.
func (s *Store) FindExposures(_ context.Context, f fleetwatch.ExposureFilter) ([]*fleetwatch.Exposure, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*fleetwatch.Exposure
	for _, e := range s.exposures {
		if (f.OrganizationID == 0 || e.OrganizationID == f.OrganizationID) && (f.SiteID == 0 || e.SiteID == f.SiteID) &&
			(f.Project == "" || e.Project == f.Project) && (f.Severity == "" || e.Severity == f.Severity) && (f.State == "" || e.State == f.State) {
			c := *e
			all = append(all, &c)
		}
	}
	slices.SortFunc(all, func(a, b *fleetwatch.Exposure) int { return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.ID, b.ID)) })
	return fleetwatch.PageOf(all, f.ListOptions), len(all), nil
}

// CreateEventTicket stores a ticket.
func (s *Store) CreateEventTicket(_ context.Context, t *fleetwatch.EventTicket) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *t
	s.tickets[t.Hash] = &c
	return nil
}

// RedeemEventTicket deletes the ticket with the hash and returns it;
// ENOTFOUND when unknown, already redeemed or expired at now.
func (s *Store) RedeemEventTicket(_ context.Context, hash string, now time.Time) (*fleetwatch.EventTicket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[hash]
	delete(s.tickets, hash)
	if !ok || t.ExpiresAt.Before(now) {
		return nil, notFound("Ticket")
	}
	return t, nil
}
