package service

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Defaults of the Events service.
const (
	DefaultEventBuffer = 256              // events a client may lag behind before it is dropped
	EventTicketTTL     = 30 * time.Second // how long a ticket may wait to be redeemed
	eventTicketPrefix  = "fwt_"
)

// errReplayUnavailable answers a reconnection whose missed events cannot be
// read now (Redis is unreachable).
var errReplayUnavailable = &fleetwatch.Error{Code: fleetwatch.EUNAVAILABLE,
	Message: "The events since Last-Event-ID cannot be read now. Try again shortly.", RetryAfter: 3}

// ErrSlowClient ends a subscription whose client fell more than its buffer
// behind; it may reconnect with Last-Event-ID and catch up from the replay
// window.
var ErrSlowClient = errors.New("event client too slow; dropped")

// EventsStore is what Events needs of the database: event tickets. The
// fleetwatch store interfaces document each method and its errors.
type EventsStore interface {
	CreateEventTicket(ctx context.Context, t *fleetwatch.EventTicket) error
	FindOrganizationByID(ctx context.Context, id int64) (*fleetwatch.Organization, error)
	RedeemEventTicket(ctx context.Context, hash string, now time.Time) (*fleetwatch.EventTicket, error)
}

// Events publishes real-time events and fans them out to this replica's
// subscribers (the SSE clients and the notifier), each scoped to what its
// actor may see. It implements fleetwatch.EventPublisher: see
// fleetwatch.Event for how producers publish.
type Events struct {
	Bus    fleetwatch.EventBus
	Store  EventsStore
	Logger *slog.Logger
	// Buffer is how many events a subscriber may lag behind before it is
	// dropped; DefaultEventBuffer when 0. Publishers never wait for clients.
	Buffer int
	// MaxStream ends an event stream after this long (0: never), so that
	// clients reconnect now and then through the load balancer.
	MaxStream time.Duration
	// Heartbeat is how often an idle stream gets a comment; 15 s when 0.
	Heartbeat time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	mu        sync.Mutex
	subs      map[*Subscription]struct{}
	orgUUIDs  orgUUIDCache
	unsub     func()
	closed    bool
	startOnce sync.Once
}

// NewEvents returns the service, subscribed to the bus.
func NewEvents(bus fleetwatch.EventBus, store EventsStore, logger *slog.Logger) *Events {
	s := &Events{Bus: bus, Store: store, Logger: logger}
	s.start()
	return s
}

func (s *Events) start() {
	s.startOnce.Do(func() {
		s.mu.Lock()
		if s.subs == nil {
			s.subs = map[*Subscription]struct{}{}
		}
		s.mu.Unlock()
		s.unsub = s.Bus.Subscribe(s.dispatch)
	})
}

func (s *Events) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Publish sends e to the subscribers of every replica; it fills e's
// OrganizationUUID when empty. Call it after the change the event describes
// has committed. A failure is logged here too, so that callers may ignore it.
// EINVALID for an unknown type or a missing organization.
func (s *Events) Publish(ctx context.Context, e fleetwatch.Event) error {
	if !fleetwatch.ValidEventType(e.Type) {
		return fleetwatch.Errorf(fleetwatch.EINVALID, "Unknown event type %q.", e.Type)
	}
	if e.OrganizationID == 0 {
		return fleetwatch.Errorf(fleetwatch.EINVALID, "An event needs an organization.")
	}
	if len(e.Data) == 0 {
		e.Data = []byte("{}")
	}
	if e.OrganizationUUID == "" {
		u, err := s.organizationUUID(ctx, e.OrganizationID)
		if err != nil {
			s.Logger.Error("publish event", "type", e.Type, "err", err)
			return err
		}
		e.OrganizationUUID = u
	}
	if err := s.Bus.Publish(ctx, &e); err != nil {
		s.Logger.Error("publish event", "type", e.Type, "err", err)
		return err
	}
	return nil
}

func (s *Events) organizationUUID(ctx context.Context, id int64) (string, error) {
	return s.orgUUIDs.get(ctx, s.Store, id)
}

// dispatch hands an event to every subscriber that may see it, without
// waiting: a subscriber whose queue is full is dropped.
func (s *Events) dispatch(e *fleetwatch.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		if sub.orgID != 0 && sub.orgID != e.OrganizationID {
			continue
		}
		if !sub.push(e) {
			delete(s.subs, sub)
			sub.drop(ErrSlowClient)
		}
	}
}

// Subscription is one subscriber's view of the events: first what it missed
// since the Last-Event-ID it gave (from the replay window), then live
// events, each once, in order.
type Subscription struct {
	// Complete is false when the replay window no longer held every event
	// after the Last-Event-ID: some were missed.
	Complete bool

	s       *Events
	orgID   int64 // 0: every organization
	limit   int   // live events it may hold before it is dropped
	backlog []*fleetwatch.Event
	last    string
	done    chan struct{}
	once    sync.Once
	err     error

	// Live events wait in a queue that grows only while events wait (an
	// idle subscriber holds no buffer); ready says that it is not empty.
	mu    sync.Mutex
	queue []*fleetwatch.Event
	ready chan struct{}
}

// push queues a live event; false when the queue is full.
func (sub *Subscription) push(e *fleetwatch.Event) bool {
	sub.mu.Lock()
	if len(sub.queue) >= sub.limit {
		sub.mu.Unlock()
		return false
	}
	sub.queue = append(sub.queue, e)
	sub.mu.Unlock()
	select {
	case sub.ready <- struct{}{}:
	default: // already signalled
	}
	return true
}

func (sub *Subscription) drop(err error) {
	sub.once.Do(func() {
		sub.err = err
		close(sub.done)
	})
}

// Subscribe returns the events the actor may see — their organization's, all
// for an admin — starting after lastEventID ("" for live events only).
// Close it when done.
func (s *Events) Subscribe(ctx context.Context, lastEventID string) (*Subscription, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && a.OrganizationID == 0 {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "You belong to no organization.")
	}
	return s.subscribe(ctx, a.ScopeOrganization(), lastEventID)
}

// subscribe registers a subscriber of one organization (0: all) before
// reading the replay window, so that no event falls between the two.
func (s *Events) subscribe(ctx context.Context, orgID int64, lastEventID string) (*Subscription, error) {
	s.start()
	size := s.Buffer
	if size <= 0 {
		size = DefaultEventBuffer
	}
	sub := &Subscription{s: s, orgID: orgID, limit: size, ready: make(chan struct{}, 1), done: make(chan struct{}), Complete: true, last: lastEventID}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, ErrEventsClosed
	}
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	lastEventID = strings.TrimSpace(lastEventID)
	if lastEventID != "" {
		missed, complete, err := s.Bus.Since(ctx, lastEventID)
		if err != nil {
			sub.Close()
			if ctx.Err() != nil {
				return nil, err
			}
			// The replay window (Redis) cannot be read: the client
			// comes back with its Last-Event-ID later.
			if s.Logger != nil {
				s.Logger.Warn("read the event replay window", "err", err)
			}
			return nil, errReplayUnavailable
		}
		sub.Complete = complete
		for _, e := range missed {
			if orgID == 0 || e.OrganizationID == orgID {
				sub.backlog = append(sub.backlog, e)
			}
		}
	}
	return sub, nil
}

// Next returns the next event, waiting until one comes, ctx ends
// (ctx.Err()), or the subscription is dropped (ErrSlowClient) or closed.
func (sub *Subscription) Next(ctx context.Context) (*fleetwatch.Event, error) {
	for {
		e, err := sub.TryNext()
		if e != nil || err != nil {
			return e, err
		}
		select {
		case <-sub.ready:
		case <-sub.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// TryNext returns the next event without waiting: nil, nil when there is
// none yet (Ready signals the next), and the error that ended the
// subscription once it is dropped (ErrSlowClient) or closed.
func (sub *Subscription) TryNext() (*fleetwatch.Event, error) {
	for {
		// A dropped subscription ends at once, queued events or not: its
		// client resumes from the replay window.
		select {
		case <-sub.done:
			return nil, sub.err
		default:
		}
		if len(sub.backlog) > 0 {
			e := sub.backlog[0]
			sub.backlog = sub.backlog[1:]
			sub.last = e.ID
			return e, nil
		}
		sub.mu.Lock()
		if len(sub.queue) == 0 {
			if cap(sub.queue) > 16 {
				sub.queue = nil // a burst is over: let its buffer go
			}
			sub.mu.Unlock()
			return nil, nil
		}
		e := sub.queue[0]
		sub.queue[0] = nil
		sub.queue = sub.queue[1:]
		sub.mu.Unlock()
		// A live event that the replay already gave.
		if sub.last != "" && fleetwatch.CompareEventIDs(e.ID, sub.last) <= 0 {
			continue
		}
		sub.last = e.ID
		return e, nil
	}
}

// Ready receives a value when events may be waiting for TryNext.
func (sub *Subscription) Ready() <-chan struct{} { return sub.ready }

// Done is closed when the subscription is dropped or closed; TryNext then
// returns why.
func (sub *Subscription) Done() <-chan struct{} { return sub.done }

// Close unsubscribes.
func (sub *Subscription) Close() {
	sub.s.mu.Lock()
	delete(sub.s.subs, sub)
	sub.s.mu.Unlock()
	sub.drop(errSubscriptionClosed)
}

var errSubscriptionClosed = errors.New("subscription closed")

// ErrEventsClosed is returned by Subscribe once the service is closed (the
// server is stopping).
var ErrEventsClosed = errors.New("events: closed")

// Subscribers returns how many subscribers this replica has.
func (s *Events) Subscribers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// Close ends every subscription (their streams finish) and stops listening
// to the bus. The bus itself belongs to the caller.
func (s *Events) Close() {
	s.mu.Lock()
	s.closed = true
	subs := s.subs
	s.subs = map[*Subscription]struct{}{}
	s.mu.Unlock()
	for sub := range subs {
		sub.drop(errSubscriptionClosed)
	}
	if s.unsub != nil {
		s.unsub()
	}
}

// IssueTicket returns a single-use ticket, valid for EventTicketTTL, that
// stands for the credential the caller authenticated with: a browser's
// EventSource passes it as ?ticket= because it cannot send headers.
func (s *Events) IssueTicket(ctx context.Context, credential string) (string, time.Time, error) {
	a, err := actor(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	if a.UserID == 0 {
		return "", time.Time{}, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Tickets are for signed-in users' browsers; send the API key in the X-API-Key or Authorization header.")
	}
	raw, err := randomToken(32)
	if err != nil {
		return "", time.Time{}, err
	}
	ticket := eventTicketPrefix + raw
	sealer, err := newSealer(deriveKey([]byte(ticket), "event-ticket"))
	if err != nil {
		return "", time.Time{}, err
	}
	sealed, err := sealer.seal(credential)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.now()
	t := &fleetwatch.EventTicket{Hash: HashToken(ticket), Sealed: []byte(sealed), UserID: a.UserID, APIKeyID: a.APIKeyID,
		CreatedAt: now, ExpiresAt: now.Add(EventTicketTTL), RemoteAddr: a.RemoteAddr}
	if err := s.Store.CreateEventTicket(ctx, t); err != nil {
		return "", time.Time{}, err
	}
	return ticket, t.ExpiresAt, nil
}

// RedeemTicket uses up a ticket and returns the credential it stands for;
// EUNAUTHORIZED when the ticket is unknown, used or expired.
func (s *Events) RedeemTicket(ctx context.Context, ticket string) (string, error) {
	bad := fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The event ticket is invalid, used or expired; request a new one.")
	if !strings.HasPrefix(ticket, eventTicketPrefix) || len(ticket) > 100 {
		return "", bad
	}
	t, err := s.Store.RedeemEventTicket(ctx, HashToken(ticket), s.now())
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return "", bad
	} else if err != nil {
		return "", err
	}
	sealer, err := newSealer(deriveKey([]byte(ticket), "event-ticket"))
	if err != nil {
		return "", err
	}
	cred, err := sealer.open(string(t.Sealed))
	if err != nil {
		return "", bad
	}
	return cred, nil
}

// publishExposureChanges publishes exposure.opened and exposure.resolved
// for exposures a committed write opened and resolved. pub may be nil.
func publishExposureChanges(ctx context.Context, pub fleetwatch.EventPublisher, ch fleetwatch.ExposureChanges) {
	for _, e := range ch.Opened {
		publishExposureEvent(ctx, pub, fleetwatch.EventExposureOpened, e)
	}
	for _, e := range ch.Resolved {
		publishExposureEvent(ctx, pub, fleetwatch.EventExposureResolved, e)
	}
}

// publishExposureEvent publishes one event about an exposure. An event is a
// notice, not the record: a failure is logged by the publisher and ignored.
func publishExposureEvent(ctx context.Context, pub fleetwatch.EventPublisher, typ string, e *fleetwatch.Exposure) {
	if pub == nil {
		return
	}
	d := fleetwatch.ExposureEventData{ExposureID: e.UUID, SiteID: e.SiteUUID, SiteName: e.SiteName, Project: e.Project,
		InstalledVersion: e.InstalledVersion, FixedBy: e.FixedBy, Advisories: e.Advisories, Severity: e.Severity,
		ResolvedAt: e.ResolvedAt}
	due := e.DueAt
	d.DueAt = &due
	if e.SLAOutcome != nil {
		d.SLAOutcome = *e.SLAOutcome
	}
	publish(ctx, pub, typ, e.OrganizationID, d)
}

// publish builds and publishes an event, ignoring failures (the publisher
// logs them).
func publish(ctx context.Context, pub fleetwatch.EventPublisher, typ string, orgID int64, data any) {
	if pub == nil {
		return
	}
	if e, err := fleetwatch.NewEvent(typ, orgID, data); err == nil {
		_ = pub.Publish(context.WithoutCancel(ctx), e)
	}
}
