package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Defaults of the Notifier.
const (
	DefaultNotifyAttempts = 5
	DefaultNotifyBackoff  = 2 * time.Second
	maxNotifyBackoff      = 2 * time.Minute
	notifyBuffer          = 4096
	notifySenders         = 8
)

// Notifier sends notifications by each user's notification_preferences:
// e-mail and webhooks on a new exposure at or above the chosen severity, on
// an SLA breach, and a daily digest. Every replica runs one and sees every
// event; each (user, channel, event) delivery is claimed in the database
// before it is sent, so exactly one replica sends it.
type Notifier struct {
	Store  fleetwatch.Store
	Events *Events
	// Mailer sends e-mail; nil disables the e-mail channel.
	Mailer fleetwatch.Mailer
	// Webhooks posts to webhooks; nil disables the webhook channel.
	Webhooks fleetwatch.WebhookSender
	Logger   *slog.Logger
	// PublicURL links notifications to the dashboard.
	PublicURL string
	// Attempts bounds the sends of one delivery (DefaultNotifyAttempts);
	// Backoff is the wait after the first failure, doubling after each
	// (DefaultNotifyBackoff).
	Attempts int
	Backoff  time.Duration
	// DigestHour is the UTC hour after which the day's digest goes out.
	DigestHour int
	// DigestEvery is how often the digest schedule is checked (10 min).
	DigestEvery time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	wg         sync.WaitGroup
	semOnce    sync.Once
	sem        chan struct{}
	mu         sync.Mutex
	digestDone string // the last day whose digest pass completed here
}

// senders returns the semaphore that bounds concurrent sends.
func (n *Notifier) senders() chan struct{} {
	n.semOnce.Do(func() { n.sem = make(chan struct{}, notifySenders) })
	return n.sem
}

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

// Run handles events and the digest schedule until ctx ends, then waits for
// the sends in flight.
func (n *Notifier) Run(ctx context.Context) error {
	defer n.wg.Wait()
	every := n.DigestEvery
	if every <= 0 {
		every = 10 * time.Minute
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			n.SendDigests(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	last := ""
	for ctx.Err() == nil {
		sub, err := n.Events.subscribe(ctx, 0, last)
		if errors.Is(err, ErrEventsClosed) {
			break // the server is stopping
		} else if err != nil {
			n.Logger.Error("notifier: subscribe", "err", err)
			if !sleep(ctx, time.Second) {
				break
			}
			continue
		}
		last = n.consume(ctx, sub, last)
		sub.Close()
	}
	return nil
}

// consume handles a subscription's events until it ends, and returns the ID
// of the last one handled, from which the next subscription resumes.
func (n *Notifier) consume(ctx context.Context, sub *Subscription, last string) string {
	for {
		e, err := sub.Next(ctx)
		if err != nil {
			if errors.Is(err, ErrSlowClient) {
				n.Logger.Warn("notifier fell behind; catching up from the replay window", "after", last)
			}
			return last
		}
		last = e.ID
		n.Handle(ctx, e)
	}
}

// Handle decides who is told of one event and starts the sends. It returns
// once the deliveries are claimed; the sends go on in the background (see
// Wait).
func (n *Notifier) Handle(ctx context.Context, e *fleetwatch.Event) {
	if e.Type != fleetwatch.EventExposureOpened && e.Type != fleetwatch.EventSLABreached {
		return
	}
	var data fleetwatch.ExposureEventData
	if err := json.Unmarshal(e.Data, &data); err != nil {
		n.Logger.Warn("notifier: undecodable event", "id", e.ID, "type", e.Type, "err", err)
		return
	}
	subject, text := describeEvent(e, data)
	err := n.eachUser(ctx, e.OrganizationID, func(u *fleetwatch.User, p fleetwatch.NotificationPreferences) {
		if n.Mailer != nil && p.Email.Enabled && wants(p.Email, e.Type, data.Severity) {
			n.deliver(ctx, u, fleetwatch.ChannelEmail, e.Type, e.ID, subject, text, e, "")
		}
		if n.Webhooks != nil && p.Webhook.Enabled && p.Webhook.URL != "" && wants(p.Webhook.NotificationChannel, e.Type, data.Severity) {
			n.deliver(ctx, u, fleetwatch.ChannelWebhook, e.Type, e.ID, subject, text, e, "")
		}
	})
	if err != nil {
		n.Logger.Error("notifier: find recipients", "event", e.ID, "err", err)
	}
}

// wants reports whether a channel asks for an event: a new exposure at or
// above its least severity (any severity when none is set; an unknown one
// counts as critical), or a breach when it asks for breaches.
func wants(ch fleetwatch.NotificationChannel, typ, severity string) bool {
	switch typ {
	case fleetwatch.EventExposureOpened:
		if severity == "" || fleetwatch.SeverityRank(severity) == 0 {
			severity = fleetwatch.SeverityCritical
		}
		return ch.MinSeverity == "" || fleetwatch.SeverityRank(severity) >= fleetwatch.SeverityRank(ch.MinSeverity)
	case fleetwatch.EventSLABreached:
		return ch.SLABreach
	}
	return false
}

// eachUser calls fn with every active user of the organization (every
// active user when orgID is 0) and their preferences.
func (n *Notifier) eachUser(ctx context.Context, orgID int64, fn func(*fleetwatch.User, fleetwatch.NotificationPreferences)) error {
	active := true
	for page := 1; ; page++ {
		users, total, err := n.Store.FindUsers(ctx, fleetwatch.UserFilter{OrganizationID: orgID, IsActive: &active,
			ListOptions: fleetwatch.ListOptions{Page: page, PerPage: fleetwatch.MaxPerPage}})
		if err != nil {
			return err
		}
		for _, u := range users {
			p, err := decodePreferences(u.NotificationPreferences)
			if err != nil {
				n.Logger.Warn("notifier: bad preferences", "user", u.UUID, "err", err)
				continue
			}
			fn(u, p)
		}
		if page*fleetwatch.MaxPerPage >= total || len(users) == 0 {
			return nil
		}
	}
}

// decodePreferences reads stored preferences, the defaults when none were
// saved. Saved preferences are complete (SetNotificationPreferences writes
// the whole struct), and false flags are omitted from them, so they are
// decoded over zero values, not over the defaults: a channel switched off
// stays off.
func decodePreferences(raw json.RawMessage) (fleetwatch.NotificationPreferences, error) {
	if s := strings.TrimSpace(string(raw)); s == "" || s == "{}" || s == "null" {
		return fleetwatch.DefaultNotificationPreferences(), nil
	}
	var p fleetwatch.NotificationPreferences
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("decode preferences: %w", err)
	}
	return p, nil
}

// webhookBody is what a webhook receives: Slack's "text" plus the event.
type webhookBody struct {
	Text       string            `json:"text"`
	DeliveryID string            `json:"delivery_id"`
	Kind       string            `json:"kind"`
	Event      *fleetwatch.Event `json:"event,omitempty"`
	Digest     string            `json:"digest,omitempty"`
}

// deliver claims one delivery and, when this replica won the claim, sends it
// in the background with retries.
func (n *Notifier) deliver(ctx context.Context, u *fleetwatch.User, channel, kind, key, subject, text string, e *fleetwatch.Event, digest string) {
	p, _ := decodePreferences(u.NotificationPreferences)
	d := &fleetwatch.NotificationDelivery{UserID: u.ID, Channel: channel, Kind: kind, Key: key, Subject: subject, Target: u.Email}
	if channel == fleetwatch.ChannelWebhook {
		if wu, err := url.Parse(p.Webhook.URL); err == nil {
			d.Target = wu.Host
		}
	}
	claimed, err := n.Store.ClaimDelivery(ctx, d)
	if err != nil {
		n.Logger.Error("notifier: claim delivery", "user", u.UUID, "key", key, "err", err)
		return
	} else if !claimed {
		return // another replica sends it
	}
	var send func(context.Context) error
	switch channel {
	case fleetwatch.ChannelEmail:
		body := text + "\n\n-- \nFleetwatch " + n.PublicURL + "\nChange what reaches you: " + n.PublicURL + "/settings/notifications\n"
		send = func(ctx context.Context) error { return n.Mailer.SendMail(ctx, u.Email, subject, body) }
	case fleetwatch.ChannelWebhook:
		payload, err := json.Marshal(webhookBody{Text: text, DeliveryID: d.UUID, Kind: kind, Event: e, Digest: digest})
		if err != nil {
			n.Logger.Error("notifier: encode webhook", "err", err)
			return
		}
		send = func(ctx context.Context) error {
			return n.Webhooks.SendWebhook(ctx, p.Webhook.URL, p.Webhook.Secret, payload)
		}
	}
	sem := n.senders()
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		sem <- struct{}{}
		defer func() { <-sem }()
		n.attempt(context.WithoutCancel(ctx), ctx, d, send)
	}()
}

// attempt sends until it succeeds, fails for good, or runs out of attempts,
// recording each attempt in the delivery log. Waits end early when stop
// ends.
func (n *Notifier) attempt(ctx, stop context.Context, d *fleetwatch.NotificationDelivery, send func(context.Context) error) {
	attempts := n.Attempts
	if attempts <= 0 {
		attempts = DefaultNotifyAttempts
	}
	wait := n.Backoff
	if wait <= 0 {
		wait = DefaultNotifyBackoff
	}
	for {
		d.Attempts++
		err := send(ctx)
		switch {
		case err == nil:
			at := n.now()
			d.Status, d.LastError, d.SentAt = fleetwatch.DeliverySent, "", &at
		case errors.Is(err, fleetwatch.ErrPermanentDelivery) || d.Attempts >= attempts:
			d.Status, d.LastError = fleetwatch.DeliveryFailed, truncate(err.Error(), 500)
		default:
			d.LastError = truncate(err.Error(), 500)
		}
		if uerr := n.Store.UpdateDelivery(ctx, d); uerr != nil {
			n.Logger.Error("notifier: record delivery", "delivery", d.UUID, "err", uerr)
		}
		if d.Status != fleetwatch.DeliveryPending {
			if d.Status == fleetwatch.DeliveryFailed {
				n.Logger.Warn("notification failed", "delivery", d.UUID, "channel", d.Channel, "attempts", d.Attempts, "err", err)
			}
			return
		}
		if !sleep(stop, wait) {
			d.Status = fleetwatch.DeliveryFailed
			d.LastError = truncate("stopped while retrying: "+d.LastError, 500)
			_ = n.Store.UpdateDelivery(ctx, d)
			return
		}
		wait = min(wait*2, maxNotifyBackoff)
	}
}

// Wait blocks until the sends started so far are done.
func (n *Notifier) Wait() { n.wg.Wait() }

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// describeEvent returns the subject and text of a notification.
func describeEvent(e *fleetwatch.Event, d fleetwatch.ExposureEventData) (string, string) {
	sev := severityLabel(d.Severity)
	site := d.SiteName
	if site == "" {
		site = d.SiteURL
	}
	var subject string
	var b strings.Builder
	switch e.Type {
	case fleetwatch.EventExposureOpened:
		subject = fmt.Sprintf("[Fleetwatch] %s security update for %s on %s", sev, d.Project, site)
		fmt.Fprintf(&b, "%s needs a security update of %s (%s installed).", site, d.Project, d.InstalledVersion)
	case fleetwatch.EventSLABreached:
		subject = fmt.Sprintf("[Fleetwatch] SLA breached: %s on %s", d.Project, site)
		fmt.Fprintf(&b, "The %s security update of %s on %s is past its deadline.", strings.ToLower(sev), d.Project, site)
	}
	fmt.Fprintf(&b, "\nSeverity: %s", sev)
	if len(d.FixedBy) > 0 {
		fmt.Fprintf(&b, "\nFixed in: %s", strings.Join(d.FixedBy, ", "))
	}
	if len(d.Advisories) > 0 {
		fmt.Fprintf(&b, "\nAdvisories: %s", strings.Join(d.Advisories, ", "))
	}
	if d.DueAt != nil {
		fmt.Fprintf(&b, "\nDue: %s", d.DueAt.UTC().Format("2006-01-02 15:04 MST"))
	}
	if d.SiteURL != "" {
		fmt.Fprintf(&b, "\nSite: %s", d.SiteURL)
	}
	return subject, b.String()
}

func severityLabel(s string) string {
	switch s {
	case fleetwatch.SeverityHighlyCritical:
		return "Highly critical"
	case fleetwatch.SeverityModeratelyCritical:
		return "Moderately critical"
	case fleetwatch.SeverityLessCritical:
		return "Less critical"
	case fleetwatch.SeverityNotCritical:
		return "Not critical"
	}
	return "Critical"
}

// Deliveries returns the signed-in user's delivery log.
func (n *Notifier) Deliveries(ctx context.Context, f fleetwatch.DeliveryFilter) ([]*fleetwatch.NotificationDelivery, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if a.UserID == 0 {
		return nil, 0, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "API keys have no user.")
	}
	var v fleetwatch.Validation
	if f.Channel != "" && f.Channel != fleetwatch.ChannelEmail && f.Channel != fleetwatch.ChannelWebhook {
		v.AddParam("channel", "channel must be email or webhook")
	}
	switch f.Status {
	case "", fleetwatch.DeliveryPending, fleetwatch.DeliverySent, fleetwatch.DeliveryFailed:
	default:
		v.AddParam("status", "status must be pending, sent or failed")
	}
	if err := v.Err(); err != nil {
		return nil, 0, err
	}
	f.UserID = a.UserID
	return n.Store.FindDeliveries(ctx, f)
}
