package fleetwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Types of real-time events (docs/architecture.md: real time).
const (
	EventSnapshotProcessed = "snapshot.processed" // a worker applied a pushed inventory
	EventExposureOpened    = "exposure.opened"    // a site became exposed to a security update
	EventExposureResolved  = "exposure.resolved"  // an exposure closed
	EventSLABreached       = "sla.breached"       // an open exposure passed its due date
	EventPatchRunRecorded  = "patch_run.recorded" // a patch run was recorded
	// EventPlatformEndOfLife: a platform a site runs (PHP, Drupal core)
	// reaches its end of life within 90 days, or reached it.
	EventPlatformEndOfLife = "platform.end_of_life"
)

// EventTypes lists every event type.
var EventTypes = []string{EventSnapshotProcessed, EventExposureOpened, EventExposureResolved, EventSLABreached, EventPatchRunRecorded, EventPlatformEndOfLife}

// Event is one thing that happened in an organization, streamed to its users
// at GET /api/v1/events (Server-Sent Events) and fed to the notifier.
//
// # Publishing
//
// Producers (the ingest worker, the update analysis) publish through
// service.Events, which implements EventPublisher:
//
//	e, err := fleetwatch.NewEvent(fleetwatch.EventExposureOpened, site.OrganizationID,
//		fleetwatch.ExposureEventData{ExposureID: x.UUID, SiteID: site.UUID, …})
//	if err == nil {
//		_ = s.Events.Publish(ctx, e) // logged by the service on failure
//	}
//
// Publish after the change is durable: call it once the exported store method
// that wrote the change has returned nil (store methods own their
// transaction, so that is after COMMIT), never from inside a transaction and
// never before it commits — a subscriber that reads the API on an event must
// find the change. An event is a best-effort notice, not the record: a failed
// Publish must not undo or fail the change (log it and go on), and nothing may
// depend on an event having been seen. Publish does not block on slow
// clients.
type Event struct {
	// ID is the event's position in the stream, assigned by Publish:
	// "<unix milliseconds>-<sequence>", increasing in publication order, as
	// the SSE id and Last-Event-ID. Compare with CompareEventIDs.
	ID   string `json:"id"`
	Type string `json:"type" enum:"snapshot.processed,exposure.opened,exposure.resolved,sla.breached,patch_run.recorded,platform.end_of_life"`
	// OrganizationID is the organization it belongs to; only its users (and
	// admins) see it.
	OrganizationID   int64  `json:"-"`
	OrganizationUUID string `json:"organization_id"`
	// Data is the event's payload, a JSON object (see the *EventData types).
	Data json.RawMessage `json:"data"`
	Time time.Time       `json:"time"`
}

// SnapshotEventData is the payload of snapshot.processed.
type SnapshotEventData struct {
	SiteID     string `json:"site_id"`
	SiteName   string `json:"site_name,omitempty"`
	AuditLogID string `json:"audit_log_id,omitempty"`
	Changes    int    `json:"changes"` // (site, project) rows the snapshot changed
	Unchanged  bool   `json:"unchanged,omitempty"`
}

// ExposureEventData is the payload of exposure.opened, exposure.resolved and
// sla.breached. The notifier reads Severity to decide who is told.
type ExposureEventData struct {
	ExposureID       string     `json:"exposure_id"`
	SiteID           string     `json:"site_id"`
	SiteName         string     `json:"site_name,omitempty"`
	SiteURL          string     `json:"site_url,omitempty"`
	Project          string     `json:"project"`
	InstalledVersion string     `json:"installed_version,omitempty"`
	FixedBy          []string   `json:"fixed_by,omitempty"`
	Advisories       []string   `json:"advisories,omitempty"`
	Severity         string     `json:"severity"`
	DueAt            *time.Time `json:"due_at,omitempty"`
	ResolvedAt       *time.Time `json:"resolved_at,omitempty"`
	SLAOutcome       string     `json:"sla_outcome,omitempty"`
}

// PatchRunEventData is the payload of patch_run.recorded.
type PatchRunEventData struct {
	PatchRunID string `json:"patch_run_id"`
	SiteID     string `json:"site_id"`
	Status     string `json:"status"`
	Tool       string `json:"tool"`
	Changes    int    `json:"changes"`
}

// NewEvent returns an event of the type for the organization with data
// marshalled to JSON. Publish assigns ID, and Time when it is zero.
func NewEvent(typ string, organizationID int64, data any) (Event, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return Event{}, fmt.Errorf("encode %s event: %w", typ, err)
	}
	return Event{Type: typ, OrganizationID: organizationID, Data: b}, nil
}

// ValidEventType reports whether typ is one of EventTypes.
func ValidEventType(typ string) bool {
	for _, t := range EventTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// EventPublisher is what producers of events need. service.Events implements
// it; see Event for when to call it.
type EventPublisher interface {
	// Publish assigns e's ID and delivers it to the subscribers of every
	// replica. EINVALID for an unknown type or a missing organization.
	Publish(ctx context.Context, e Event) error
}

// EventBus carries events between the replicas of Fleetwatch and keeps a
// bounded replay window, so that a client that reconnects with
// Last-Event-ID misses nothing recent. redisx implements it over Redis (a
// capped stream and pub/sub); memory implements it in process.
type EventBus interface {
	// Publish assigns e.ID (and e.Time when zero), adds e to the replay
	// window and delivers it to the handlers of every replica.
	Publish(ctx context.Context, e *Event) error
	// Subscribe calls fn with every event published on any replica from now
	// on, in ID order, from one goroutine. fn must not block: it is on the
	// path of every event. The returned function unsubscribes.
	Subscribe(fn func(*Event)) (cancel func())
	// Since returns the events of the replay window published after
	// afterID, oldest first. complete is false when afterID is older than
	// the window, so that some events in between are gone.
	Since(ctx context.Context, afterID string) (events []*Event, complete bool, err error)
	Close() error
}

// EventTicket is a short-lived, single-use ticket that stands for the
// credential it was issued against, for browsers' EventSource, which cannot
// send an Authorization header. Only a hash of the ticket is stored, and the
// credential is sealed with a key derived from the ticket itself, so the
// database alone reveals nothing usable.
type EventTicket struct {
	Hash       string
	Sealed     []byte
	UserID     int64
	APIKeyID   int64
	ExpiresAt  time.Time
	CreatedAt  time.Time
	RemoteAddr string
}

// EventStore keeps event tickets.
type EventStore interface {
	// CreateEventTicket stores a ticket.
	CreateEventTicket(ctx context.Context, t *EventTicket) error
	// RedeemEventTicket deletes the ticket with the hash and returns it;
	// ENOTFOUND when unknown, already redeemed or expired at now.
	RedeemEventTicket(ctx context.Context, hash string, now time.Time) (*EventTicket, error)
}

// ParseEventID splits an event ID into its milliseconds and sequence; ok is
// false for text that is not an event ID.
func ParseEventID(id string) (ms, seq uint64, ok bool) {
	a, b, found := strings.Cut(id, "-")
	if !found {
		b = "0"
	}
	ms, err1 := strconv.ParseUint(a, 10, 64)
	seq, err2 := strconv.ParseUint(b, 10, 64)
	return ms, seq, err1 == nil && err2 == nil
}

// CompareEventIDs orders two valid event IDs: -1, 0 or +1. An invalid ID
// sorts before every valid one.
func CompareEventIDs(a, b string) int {
	am, as, aok := ParseEventID(a)
	bm, bs, bok := ParseEventID(b)
	switch {
	case !aok && !bok:
		return 0
	case !aok:
		return -1
	case !bok:
		return 1
	case am != bm:
		return cmpUint(am, bm)
	}
	return cmpUint(as, bs)
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Notification channels and delivery statuses.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"

	DeliveryPending = "pending" // claimed, being sent
	DeliverySent    = "sent"
	DeliveryFailed  = "failed" // gave up after its attempts

	// NotificationDigest is the kind of a daily digest delivery.
	NotificationDigest = "digest"
)

// NotificationDelivery is one notification to one user on one channel: the
// delivery log. Its (user, channel, key) is unique, which is how replicas
// agree that only one of them sends it.
type NotificationDelivery struct {
	ID        int64      `json:"-"`
	UUID      string     `json:"id"`
	UserID    int64      `json:"-"`
	Channel   string     `json:"channel" enum:"email,webhook"`
	Kind      string     `json:"kind" doc:"The event type, or digest"`
	Key       string     `json:"key" doc:"What was notified: the event id, or digest:<day>"`
	Target    string     `json:"target" doc:"The e-mail address, or the webhook's host"`
	Subject   string     `json:"subject"`
	Status    string     `json:"status" enum:"pending,sent,failed"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SentAt    *time.Time `json:"sent_at"`
	// NextAttemptAt is when a pending delivery is tried next. Its claimer
	// owns it until a lease after that; then any replica may take it over.
	NextAttemptAt *time.Time `json:"next_attempt_at" doc:"When a pending delivery is tried next; null once sent or failed"`
	// Body is what is sent: the e-mail's text, or the webhook's JSON.
	Body string `json:"-"`
	// Lease proves who owns a pending delivery: the token of its last
	// claim (ClaimDelivery, RenewDelivery, ClaimDueDeliveries).
	Lease string `json:"-"`
}

// DeliveryFilter narrows the delivery log.
type DeliveryFilter struct {
	ListOptions
	UserID  int64
	Channel string
	Status  string
}

// DeliverySortFields are the fields the delivery log sorts by.
var DeliverySortFields = []string{"created_at", "updated_at", "status"}

// DeliveryStore keeps the notification delivery log.
type DeliveryStore interface {
	// ClaimDelivery inserts d as pending, with its Body, to be tried at
	// d.NextAttemptAt by the caller, unless a delivery with the same
	// (UserID, Channel, Key) exists, and reports whether it did: only the
	// claimer sends. It fills ID, UUID (unless set), Lease and the
	// timestamps.
	ClaimDelivery(ctx context.Context, d *NotificationDelivery) (bool, error)
	// UpdateDelivery records an attempt: status, attempts, last error,
	// for a sent one SentAt, for a pending one NextAttemptAt. It writes only
	// while d.Lease still owns the delivery: ENOTFOUND for an unknown
	// delivery or one another claimer took over.
	UpdateDelivery(ctx context.Context, d *NotificationDelivery) error
	// RenewDelivery claims a pending delivery d owns again, for an attempt
	// at at, under a new Lease, and reports false when d.Lease no longer
	// owns it (another claimer took it over, or it is no longer pending).
	RenewDelivery(ctx context.Context, d *NotificationDelivery, at time.Time) (bool, error)
	// ClaimDueDeliveries takes over up to limit pending deliveries whose
	// NextAttemptAt is not after due (their owner is gone or late), for an
	// attempt at at, oldest due first. Concurrent claimers get different
	// deliveries.
	ClaimDueDeliveries(ctx context.Context, due, at time.Time, limit int) ([]*NotificationDelivery, error)
	FindDeliveries(ctx context.Context, f DeliveryFilter) ([]*NotificationDelivery, int, error)
}

// ErrPermanentDelivery is wrapped by sender errors that retrying will not
// cure (a 4xx answer, a refused recipient).
var ErrPermanentDelivery = errors.New("permanent delivery failure")

// Mailer sends e-mail; notify.SMTP implements it.
type Mailer interface {
	SendMail(ctx context.Context, to, subject, body string) error
}

// WebhookSender posts a signed JSON body to a webhook; notify.Webhook
// implements it. One call is one attempt: callers retry.
type WebhookSender interface {
	SendWebhook(ctx context.Context, url, secret string, body []byte) error
}
