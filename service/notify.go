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
	"github.com/google/uuid"
)

// Defaults of the Notifier.
const (
	DefaultNotifyAttempts = 5
	DefaultNotifyBackoff  = 2 * time.Second
	// DefaultNotifyRetryEvery is how often a notifier looks for pending
	// deliveries nobody is retrying.
	DefaultNotifyRetryEvery = 15 * time.Second
	// DefaultNotifyLease is how long past its next attempt's time a pending
	// delivery stays its owner's: longer than one send takes (30 s at most).
	// After it, any notifier may take the delivery over.
	DefaultNotifyLease = 2 * time.Minute
	// maxDeliveryAge is how old a delivery may be and still be sent: one
	// left pending longer (every notifier down for a day) is dropped.
	maxDeliveryAge   = 24 * time.Hour
	maxNotifyBackoff = 2 * time.Minute
	notifyBuffer     = 4096
	notifySenders    = 8
)

// NotifierStore is what Notifier needs of the database: the delivery log and
// the recipients. The fleetwatch store interfaces document each method and its
// errors.
type NotifierStore interface {
	ClaimDelivery(ctx context.Context, d *fleetwatch.NotificationDelivery) (bool, error)
	ClaimDueDeliveries(ctx context.Context, due, at time.Time, limit int) ([]*fleetwatch.NotificationDelivery, error)
	FindDeliveries(ctx context.Context, f fleetwatch.DeliveryFilter) ([]*fleetwatch.NotificationDelivery, int, error)
	FindExposures(ctx context.Context, f fleetwatch.ExposureFilter) ([]*fleetwatch.Exposure, int, error)
	FindUserByID(ctx context.Context, id int64) (*fleetwatch.User, error)
	FindUsers(ctx context.Context, f fleetwatch.UserFilter) ([]*fleetwatch.User, int, error)
	RenewDelivery(ctx context.Context, d *fleetwatch.NotificationDelivery, at time.Time) (bool, error)
	UpdateDelivery(ctx context.Context, d *fleetwatch.NotificationDelivery) error
}

// Notifier sends notifications by each user's notification_preferences:
// e-mail and webhooks on a new exposure at or above the chosen severity, on
// an SLA breach, and a daily digest. Every replica runs one and sees every
// event; each (user, channel, event) delivery is claimed in the database
// before it is sent, so one replica sends it (again only when a sender died
// between sending and recording it: at least once).
type Notifier struct {
	Store  NotifierStore
	Events *Events
	// Mailer sends e-mail; nil disables the e-mail channel.
	Mailer fleetwatch.Mailer
	// Webhooks posts to webhooks; nil disables the webhook channel.
	Webhooks fleetwatch.WebhookSender
	// Secrets opens the webhook secrets that sign deliveries
	// (Auth.WebhookSecrets); without it a sealed secret fails the delivery.
	Secrets *WebhookSecrets
	Logger  *slog.Logger
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
	// RetryEvery is how often pending deliveries whose owner is gone are
	// looked for (DefaultNotifyRetryEvery); Lease is how long past its next
	// attempt's time a delivery stays its owner's (DefaultNotifyLease).
	RetryEvery time.Duration
	Lease      time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	wg         sync.WaitGroup
	semOnce    sync.Once
	sem        chan struct{}
	mu         sync.Mutex
	digestDone string              // the last day whose digest pass completed here
	lastTest   map[int64]time.Time // by user: when their last test notification went
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

// Run handles events, the digest schedule and deliveries to take over
// until ctx ends or the events close (the server is stopping), then stops
// them all and waits for the sends in flight: a delivery waiting to be
// retried stays pending, for whichever notifier runs next.
func (n *Notifier) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var loops sync.WaitGroup
	defer func() {
		cancel()
		loops.Wait() // no send starts after this
		n.wg.Wait()
	}()
	digestEvery, retryEvery := n.DigestEvery, n.RetryEvery
	if digestEvery <= 0 {
		digestEvery = 10 * time.Minute
	}
	if retryEvery <= 0 {
		retryEvery = DefaultNotifyRetryEvery
	}
	loops.Go(func() { repeat(ctx, digestEvery, n.SendDigests) })
	loops.Go(func() { repeat(ctx, retryEvery, n.retryDue) })
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

// repeat calls fn now and then every interval until ctx ends.
func repeat(ctx context.Context, every time.Duration, fn func(context.Context)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
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
	if e.Type == fleetwatch.EventPlatformEndOfLife {
		n.handlePlatform(ctx, e)
		return
	}
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

// handlePlatform tells the users who asked for it that a platform a site
// runs reaches, or reached, its end of life.
func (n *Notifier) handlePlatform(ctx context.Context, e *fleetwatch.Event) {
	var data fleetwatch.PlatformEventData
	if err := json.Unmarshal(e.Data, &data); err != nil {
		n.Logger.Warn("notifier: undecodable event", "id", e.ID, "type", e.Type, "err", err)
		return
	}
	subject, text := describePlatformEvent(data)
	err := n.eachUser(ctx, e.OrganizationID, func(u *fleetwatch.User, p fleetwatch.NotificationPreferences) {
		if n.Mailer != nil && p.Email.Enabled && p.Email.PlatformEndOfLife {
			n.deliver(ctx, u, fleetwatch.ChannelEmail, e.Type, e.ID, subject, text, e, "")
		}
		if n.Webhooks != nil && p.Webhook.Enabled && p.Webhook.URL != "" && p.Webhook.PlatformEndOfLife {
			n.deliver(ctx, u, fleetwatch.ChannelWebhook, e.Type, e.ID, subject, text, e, "")
		}
	})
	if err != nil {
		n.Logger.Error("notifier: find recipients", "event", e.ID, "err", err)
	}
}

// describePlatformEvent returns the subject and text of a platform notice.
func describePlatformEvent(d fleetwatch.PlatformEventData) (string, string) {
	site := d.SiteName
	if site == "" {
		site = d.SiteURL
	}
	name := "PHP"
	if d.Product == fleetwatch.PlatformDrupal {
		name = "Drupal core"
	}
	var subject string
	var b strings.Builder
	if d.Milestone == fleetwatch.PlatformMilestoneEnded {
		subject = fmt.Sprintf("[Fleetwatch] %s %s is no longer supported on %s", name, d.Cycle, site)
		fmt.Fprintf(&b, "%s runs %s %s, which no longer gets security fixes.", site, name, d.Version)
	} else {
		subject = fmt.Sprintf("[Fleetwatch] %s %s reaches its end of life soon on %s", name, d.Cycle, site)
		fmt.Fprintf(&b, "%s runs %s %s, whose security support ends within 90 days.", site, name, d.Version)
	}
	fmt.Fprintf(&b, "\n%s", d.Message)
	if d.SiteURL != "" {
		fmt.Fprintf(&b, "\nSite: %s", d.SiteURL)
	}
	return subject, b.String()
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

// decodePreferences reads stored preferences (decodeStoredPreferences),
// without the webhook's secret.
func decodePreferences(raw json.RawMessage) (fleetwatch.NotificationPreferences, error) {
	sp, err := decodeStoredPreferences(raw)
	return sp.preferences(), err
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
// in the background with retries. The claim stores what is sent, so that
// the retries outlive this process (retryDue).
func (n *Notifier) deliver(ctx context.Context, u *fleetwatch.User, channel, kind, key, subject, text string, e *fleetwatch.Event, digest string) {
	p, _ := decodePreferences(u.NotificationPreferences)
	at := n.now()
	d := &fleetwatch.NotificationDelivery{UserID: u.ID, Channel: channel, Kind: kind, Key: key, Subject: subject, Target: u.Email,
		NextAttemptAt: &at}
	switch channel {
	case fleetwatch.ChannelEmail:
		d.Body = text + "\n\n-- \nFleetwatch " + n.PublicURL + "\nChange what reaches you: " + n.PublicURL + "/settings/notifications\n"
	case fleetwatch.ChannelWebhook:
		if wu, err := url.Parse(p.Webhook.URL); err == nil {
			d.Target = wu.Host
		}
		// The body names the delivery, so its id is chosen here.
		d.UUID = uuid.NewString()
		payload, err := json.Marshal(webhookBody{Text: text, DeliveryID: d.UUID, Kind: kind, Event: e, Digest: digest})
		if err != nil {
			n.Logger.Error("notifier: encode webhook", "err", err)
			return
		}
		d.Body = string(payload)
	}
	claimed, err := n.Store.ClaimDelivery(ctx, d)
	if err != nil {
		n.Logger.Error("notifier: claim delivery", "user", u.UUID, "key", key, "err", err)
		return
	} else if !claimed {
		return // another replica sends it
	}
	n.start(ctx, d)
}

// start sends d in the background.
func (n *Notifier) start(ctx context.Context, d *fleetwatch.NotificationDelivery) {
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.attempt(context.WithoutCancel(ctx), ctx, d)
	}()
}

func (n *Notifier) lease() time.Duration {
	if n.Lease > 0 {
		return n.Lease
	}
	return DefaultNotifyLease
}

// send sends d once on its channel. A webhook goes to the URL and secret
// the user's preferences hold now; a channel switched off, or a user
// deactivated, since the delivery was claimed fails it for good, and so
// does a delivery more than a day old.
func (n *Notifier) send(ctx context.Context, d *fleetwatch.NotificationDelivery) error {
	if age := n.now().Sub(d.CreatedAt); age > maxDeliveryAge {
		return fmt.Errorf("%w: still not sent %s after it was claimed; dropped", fleetwatch.ErrPermanentDelivery, age.Round(time.Minute))
	}
	u, err := n.Store.FindUserByID(ctx, d.UserID)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
		return fmt.Errorf("%w: the user no longer exists", fleetwatch.ErrPermanentDelivery)
	} else if err != nil {
		return err
	}
	if !u.IsActive {
		return fmt.Errorf("%w: the user was deactivated", fleetwatch.ErrPermanentDelivery)
	}
	switch d.Channel {
	case fleetwatch.ChannelEmail:
		if n.Mailer == nil {
			return fmt.Errorf("%w: e-mail is not configured on this server", fleetwatch.ErrPermanentDelivery)
		}
		return n.Mailer.SendMail(ctx, d.Target, d.Subject, d.Body)
	case fleetwatch.ChannelWebhook:
		sp, err := decodeStoredPreferences(u.NotificationPreferences)
		if err != nil {
			return fmt.Errorf("%w: %v", fleetwatch.ErrPermanentDelivery, err)
		}
		if !sp.Webhook.Enabled || sp.Webhook.URL == "" {
			return fmt.Errorf("%w: the webhook was switched off", fleetwatch.ErrPermanentDelivery)
		}
		if n.Webhooks == nil {
			return fmt.Errorf("%w: webhooks are not configured on this server", fleetwatch.ErrPermanentDelivery)
		}
		secret, err := n.Secrets.secret(sp)
		if err != nil {
			n.Logger.Error("notifier: webhook secret", "user", u.UUID, "err", err)
			return fmt.Errorf("%w: the webhook's secret cannot be read on this server", fleetwatch.ErrPermanentDelivery)
		}
		return n.Webhooks.SendWebhook(ctx, sp.Webhook.URL, secret, []byte(d.Body))
	}
	return fmt.Errorf("%w: unknown channel %q", fleetwatch.ErrPermanentDelivery, d.Channel)
}

// backoff is the wait after a delivery's attempts-th failed attempt.
func (n *Notifier) backoff(attempts int) time.Duration {
	wait := n.Backoff
	if wait <= 0 {
		wait = DefaultNotifyBackoff
	}
	for i := 1; i < attempts && wait < maxNotifyBackoff; i++ {
		wait *= 2
	}
	return min(wait, maxNotifyBackoff)
}

// attempt sends d until it is sent, fails for good, or runs out of
// attempts, one sender slot at a time, waiting out the backoff between
// attempts without a slot. Should this process stop (stop ends) or die
// meanwhile, d stays pending, and a notifier takes it over once it is past
// due (retryDue).
func (n *Notifier) attempt(ctx, stop context.Context, d *fleetwatch.NotificationDelivery) {
	sem := n.senders()
	for {
		select {
		case sem <- struct{}{}:
		case <-stop.Done():
			return
		}
		if stop.Err() != nil { // both were ready
			<-sem
			return
		}
		done := n.attemptOnce(ctx, d)
		<-sem
		if done || !sleep(stop, n.backoff(d.Attempts)) {
			return
		}
	}
}

// attemptOnce claims d again for an attempt now, sends it and records the
// attempt, and reports whether d is done with: sent, failed, or taken over
// by another notifier (d waited past its due time and its lease). Claiming
// before each send is what keeps a delivery from going out twice.
func (n *Notifier) attemptOnce(ctx context.Context, d *fleetwatch.NotificationDelivery) bool {
	if ok, err := n.Store.RenewDelivery(ctx, d, n.now()); err != nil {
		n.Logger.Error("notifier: claim delivery for an attempt", "delivery", d.UUID, "err", err)
		return true // pending: taken over once past due
	} else if !ok {
		return true // another notifier took it over
	}
	attempts := n.Attempts
	if attempts <= 0 {
		attempts = DefaultNotifyAttempts
	}
	d.Attempts++
	// A send outlasting the lease would let another notifier send it too.
	sctx, cancel := context.WithTimeout(ctx, n.lease()/2)
	err := n.send(sctx, d)
	cancel()
	switch {
	case err == nil:
		at := n.now()
		d.Status, d.LastError, d.SentAt = fleetwatch.DeliverySent, "", &at
	case errors.Is(err, fleetwatch.ErrPermanentDelivery) || d.Attempts >= attempts:
		d.Status, d.LastError = fleetwatch.DeliveryFailed, truncate(err.Error(), 500)
	default:
		next := n.now().Add(n.backoff(d.Attempts))
		d.LastError, d.NextAttemptAt = truncate(err.Error(), 500), &next
	}
	if uerr := n.Store.UpdateDelivery(ctx, d); fleetwatch.ErrorCode(uerr) == fleetwatch.ENOTFOUND {
		n.Logger.Warn("notifier: another notifier took the delivery over", "delivery", d.UUID)
		return true
	} else if uerr != nil {
		n.Logger.Error("notifier: record delivery", "delivery", d.UUID, "err", uerr)
	}
	if d.Status == fleetwatch.DeliveryFailed {
		// The error is generic, and a webhook is named by its host only:
		// its URL may carry a token.
		attrs := []any{"delivery", d.UUID, "channel", d.Channel, "attempts", d.Attempts, "err", err}
		if d.Channel == fleetwatch.ChannelWebhook {
			attrs = append(attrs, "host", d.Target)
		}
		n.Logger.Warn("notification failed", attrs...)
	}
	return d.Status != fleetwatch.DeliveryPending
}

// retryDue takes over, as far as sender slots are free, the pending
// deliveries whose owner did not try them within the lease after they were
// due (it stopped or died), and sends them.
func (n *Notifier) retryDue(ctx context.Context) {
	sem := n.senders()
	free := cap(sem) - len(sem)
	if free <= 0 {
		return
	}
	at := n.now()
	ds, err := n.Store.ClaimDueDeliveries(ctx, at.Add(-n.lease()), at, free)
	if err != nil {
		if ctx.Err() == nil {
			n.Logger.Error("notifier: claim due deliveries", "err", err)
		}
		return
	}
	for _, d := range ds {
		n.Logger.Info("notifier: taking over a delivery", "delivery", d.UUID, "attempts", d.Attempts)
		n.start(ctx, d)
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
