package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/notify"
	"github.com/fleetwatch/fleetwatch/notify/notifytest"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/service/servicetest"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/google/uuid"
)

// hookServer is a webhook receiver that fails the first failures requests
// with a 500 and records those that verify.
type hookServer struct {
	*httptest.Server
	mu       sync.Mutex
	failures int
	delay    time.Duration // before each answer
	calls    int
	bodies   []map[string]any
	badSig   int
}

func newHookServer(t *testing.T, secret string, failures int) *hookServer {
	h := &hookServer{failures: failures}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		delay := h.delay
		h.mu.Unlock()
		time.Sleep(delay)
		h.mu.Lock()
		defer h.mu.Unlock()
		h.calls++
		if !notify.Verify(secret, body, r.Header.Get(notify.SignatureHeader)) {
			h.badSig++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if h.calls <= h.failures {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		h.bodies = append(h.bodies, m)
	}))
	t.Cleanup(h.Close)
	return h
}

// notifyStore is what the notifier tests need of a store: the notifier's
// and the events' ports, and the means to create their users. The tests of
// the rules run on servicetest.Store; those of what several replicas share
// through the database run on both databases.
type notifyStore interface {
	service.NotifierStore
	service.EventsStore
	CreateOrganization(ctx context.Context, o *fleetwatch.Organization, by int64) error
	CreateUser(ctx context.Context, u *fleetwatch.User, by int64) error
	SetNotificationPreferences(ctx context.Context, userID int64, prefs json.RawMessage) error
}

// notifyFixture is an organization with users of various preferences, an
// SMTP server and a webhook receiver.
type notifyFixture struct {
	store notifyStore
	org   *fleetwatch.Organization
	smtp  *notifytest.SMTPServer
	hook  *hookServer
	users map[string]*fleetwatch.User
	bus   *memory.EventBus
}

func newNotifyFixture(t *testing.T, s notifyStore) *notifyFixture {
	t.Helper()
	bg := context.Background()
	f := &notifyFixture{store: s, smtp: notifytest.NewSMTPServer(t, "", ""), hook: newHookServer(t, "hook-secret", 2),
		users: map[string]*fleetwatch.User{}, bus: memory.NewEventBus(100)}
	f.org = &fleetwatch.Organization{Name: "Acme", IsActive: true}
	if err := s.CreateOrganization(bg, f.org, 0); err != nil {
		t.Fatal(err)
	}
	prefs := map[string]fleetwatch.NotificationPreferences{
		"default":  fleetwatch.DefaultNotificationPreferences(), // e-mail, critical and up, breaches
		"highonly": {Email: fleetwatch.NotificationChannel{Enabled: true, MinSeverity: fleetwatch.SeverityHighlyCritical}},
		"hook": {Webhook: fleetwatch.WebhookChannel{NotificationChannel: fleetwatch.NotificationChannel{Enabled: true,
			MinSeverity: fleetwatch.SeverityLessCritical, SLABreach: true, DailyDigest: true}, URL: f.hook.URL, Secret: "hook-secret"}},
		"digest": {Email: fleetwatch.NotificationChannel{Enabled: true, DailyDigest: true, MinSeverity: fleetwatch.SeverityHighlyCritical}},
	}
	for name, p := range prefs {
		u := &fleetwatch.User{Name: name, Email: name + "@acme.example", OrganizationID: f.org.ID, Role: fleetwatch.RoleMember, IsActive: true}
		if err := s.CreateUser(bg, u, 0); err != nil {
			t.Fatal(err)
		}
		if name != "default" {
			b, _ := json.Marshal(p)
			if err := s.SetNotificationPreferences(bg, u.ID, b); err != nil {
				t.Fatal(err)
			}
		}
		f.users[name] = u
	}
	return f
}

// notifier returns a replica's notifier: its own Events on the shared bus.
func (f *notifyFixture) notifier(t *testing.T) *service.Notifier {
	t.Helper()
	logger := slog.New(slog.DiscardHandler)
	ev := service.NewEvents(f.bus, f.store, logger)
	t.Cleanup(ev.Close)
	return &service.Notifier{Store: f.store, Events: ev, Logger: logger, PublicURL: "http://fleet.example",
		Mailer: &notify.SMTP{Addr: f.smtp.Addr, From: "fleetwatch@fleet.example"}, Webhooks: &notify.Webhook{AllowPrivate: true},
		Backoff: time.Millisecond, Attempts: 4}
}

func (f *notifyFixture) event(t *testing.T, typ, severity string) *fleetwatch.Event {
	t.Helper()
	e, err := fleetwatch.NewEvent(typ, f.org.ID, fleetwatch.ExposureEventData{ExposureID: "x1", SiteID: "s1", SiteName: "Acme shop",
		Project: "ctools", InstalledVersion: "4.0.1", FixedBy: []string{"4.0.4"}, Severity: severity})
	if err != nil {
		t.Fatal(err)
	}
	e.OrganizationUUID = f.org.UUID
	if err := f.bus.Publish(context.Background(), &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

// mails drains the messages the SMTP server received, by recipient.
func (f *notifyFixture) mails() map[string][]notifytest.Message {
	out := map[string][]notifytest.Message{}
	for {
		select {
		case m := <-f.smtp.Messages:
			out[m.To[0]] = append(out[m.To[0]], m)
		default:
			return out
		}
	}
}

// waitFirstAttempt waits until the user's one delivery has been tried.
func (f *notifyFixture) waitFirstAttempt(t *testing.T, user string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if ds := f.deliveries(t, user); len(ds) == 1 && ds[0].Attempts >= 1 {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("first attempt not recorded: %+v", ds)
		}
	}
}

func (f *notifyFixture) deliveries(t *testing.T, user string) []*fleetwatch.NotificationDelivery {
	t.Helper()
	ds, _, err := f.store.FindDeliveries(context.Background(), fleetwatch.DeliveryFilter{UserID: f.users[user].ID, ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 50}})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestNotifier_Handle(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		f := newNotifyFixture(t, s)
		one, two := f.notifier(t), f.notifier(t)
		e := f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityCritical)

		// Two replicas handle the same event at once: each delivery goes
		// out once.
		var wg sync.WaitGroup
		for _, n := range []*service.Notifier{one, two} {
			wg.Add(1)
			go func() { defer wg.Done(); n.Handle(context.Background(), e) }()
		}
		wg.Wait()
		one.Wait()
		two.Wait()

		mails := f.mails()
		if got := len(mails["default@acme.example"]); got != 1 {
			t.Errorf("default user got %d mails, want 1", got)
		}
		if got := len(mails["highonly@acme.example"]) + len(mails["digest@acme.example"]) + len(mails["hook@acme.example"]); got != 0 {
			t.Errorf("%d mails to users who did not ask for a critical exposure", got)
		}
		if m := mails["default@acme.example"]; len(m) == 1 && (!strings.Contains(m[0].Data, "ctools") || !strings.Contains(m[0].Data, "Subject: [Fleetwatch] Critical security update for ctools on Acme shop")) {
			t.Errorf("mail:\n%s", m[0].Data)
		}
		f.hook.mu.Lock()
		calls, bodies, badSig := f.hook.calls, f.hook.bodies, f.hook.badSig
		f.hook.mu.Unlock()
		if calls != 3 || len(bodies) != 1 || badSig != 0 {
			t.Fatalf("webhook: %d calls, %d accepted, %d bad signatures; want 3 calls (2 failures, then success), 1, 0", calls, len(bodies), badSig)
		}
		if text, _ := bodies[0]["text"].(string); !strings.Contains(text, "ctools") {
			t.Errorf("webhook text %q", text)
		}
		if ev, _ := bodies[0]["event"].(map[string]any); ev["type"] != fleetwatch.EventExposureOpened || ev["organization_id"] != f.org.UUID {
			t.Errorf("webhook event %v", ev)
		}
		ds := f.deliveries(t, "hook")
		if len(ds) != 1 || ds[0].Status != fleetwatch.DeliverySent || ds[0].Attempts != 3 || ds[0].Channel != fleetwatch.ChannelWebhook || ds[0].Key != e.ID {
			t.Errorf("webhook delivery log %+v", ds[0])
		}

		// A breach reaches those who asked for breaches.
		breach := f.event(t, fleetwatch.EventSLABreached, fleetwatch.SeverityNotCritical)
		one.Handle(context.Background(), breach)
		one.Wait()
		if got := len(f.mails()["default@acme.example"]); got != 1 {
			t.Errorf("breach: default user got %d mails, want 1", got)
		}
	})
}

func TestNotifier_RetryGivesUp(t *testing.T) {
	f := newNotifyFixture(t, servicetest.NewStore())
	f.hook.failures = 100
	n := f.notifier(t)
	n.Handle(context.Background(), f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityLessCritical))
	n.Wait()
	ds := f.deliveries(t, "hook")
	if len(ds) != 1 || ds[0].Status != fleetwatch.DeliveryFailed || ds[0].Attempts != 4 || !strings.Contains(ds[0].LastError, "500") {
		t.Errorf("delivery %+v", ds)
	}
}

func TestNotifier_Run(t *testing.T) {
	f := newNotifyFixture(t, servicetest.NewStore())
	n := f.notifier(t)
	n.DigestHour = 25 // no digest in this test
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = n.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for n.Events.Subscribers() == 0 {
		time.Sleep(time.Millisecond) // until Run has subscribed
	}
	f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityHighlyCritical)
	got := map[string]bool{}
	for len(got) < 3 {
		select {
		case m := <-f.smtp.Messages:
			got[m.To[0]] = true
		case <-time.After(5 * time.Second):
			t.Fatalf("mails to %v only", got)
		}
	}
	if !got["default@acme.example"] || !got["highonly@acme.example"] || !got["digest@acme.example"] {
		t.Errorf("mails to %v", got)
	}
}

func TestNotifier_SendDigests(t *testing.T) {
	f := newNotifyFixture(t, servicetest.NewStore())
	f.hook.failures = 0
	at := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	one, two := f.notifier(t), f.notifier(t)
	for _, n := range []*service.Notifier{one, two} {
		n.DigestHour, n.Now = 8, func() time.Time { return at }
		n.SendDigests(context.Background())
		n.SendDigests(context.Background())
		n.Wait()
	}
	mails := f.mails()
	if len(mails) != 1 || len(mails["digest@acme.example"]) != 1 {
		t.Fatalf("digest mails %v, want one to digest@", mails)
	}
	if m := mails["digest@acme.example"][0]; !strings.Contains(m.Data, "Daily digest 2026-05-04") || !strings.Contains(m.Data, "Outstanding security updates: 0") {
		t.Errorf("digest:\n%s", m.Data)
	}
	if ds := f.deliveries(t, "hook"); len(ds) != 1 || ds[0].Kind != fleetwatch.NotificationDigest || ds[0].Key != "digest:2026-05-04" {
		t.Errorf("webhook digest deliveries %+v", ds)
	}
}

// TestNotifier_RetriesOutliveTheProcess: a delivery whose notifier stopped
// between attempts, and one whose notifier died right after claiming it,
// are sent by the next notifier to run — once, however many run.
func TestNotifier_RetriesOutliveTheProcess(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		f := newNotifyFixture(t, s)
		f.hook.failures = 1
		ctx := context.Background()

		// A notifier tries the webhook once, fails, and is stopped while it
		// waits to retry.
		first := f.notifier(t)
		first.Backoff = time.Hour
		stop, cancel := context.WithCancel(ctx)
		first.Handle(stop, f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityLessCritical))
		f.waitFirstAttempt(t, "hook")
		cancel()
		first.Wait()
		ds := f.deliveries(t, "hook")
		if len(ds) != 1 || ds[0].Status != fleetwatch.DeliveryPending || ds[0].NextAttemptAt == nil ||
			ds[0].NextAttemptAt.Before(time.Now().Add(time.Minute)) || !strings.Contains(ds[0].LastError, "500") {
			t.Fatalf("after the stop, the delivery is %+v, want pending, due after the longest backoff (2 minutes)", ds[0])
		}
		hookID := ds[0].UUID

		// Another dies right after claiming an e-mail: pending, due in a
		// minute, never tried.
		soon := time.Now().Add(time.Minute)
		crashed := &fleetwatch.NotificationDelivery{UserID: f.users["default"].ID, Channel: fleetwatch.ChannelEmail,
			Kind: fleetwatch.EventExposureOpened, Key: "crashed-1", Subject: "[Fleetwatch] claimed, then the process died",
			Target: "default@acme.example", Body: "the body as claimed", NextAttemptAt: &soon}
		if ok, err := s.ClaimDelivery(ctx, crashed); err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}

		// Two notifiers start, two hours later: each delivery is sent once.
		later := func() time.Time { return time.Now().Add(2 * time.Hour) }
		runCtx, stopRun := context.WithCancel(ctx)
		var done sync.WaitGroup
		for range 2 {
			n := f.notifier(t)
			n.Now, n.RetryEvery, n.DigestHour = later, 10*time.Millisecond, 25
			done.Add(1)
			go func() { defer done.Done(); _ = n.Run(runCtx) }()
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			hook, mail := f.deliveries(t, "hook"), f.deliveries(t, "default")
			if len(hook) == 1 && hook[0].Status == fleetwatch.DeliverySent && len(mail) == 1 && mail[0].Status == fleetwatch.DeliverySent {
				if hook[0].Attempts != 2 || mail[0].Attempts != 1 || hook[0].NextAttemptAt != nil || hook[0].UUID != hookID {
					t.Errorf("sent deliveries: %+v and %+v", hook[0], mail[0])
				}
				break
			} else if time.Now().After(deadline) {
				t.Fatalf("not sent after the restart: %+v, %+v", hook, mail)
			}
		}
		time.Sleep(50 * time.Millisecond) // a double send would show by now
		stopRun()
		done.Wait()

		f.hook.mu.Lock()
		calls, bodies := f.hook.calls, f.hook.bodies
		f.hook.mu.Unlock()
		if calls != 2 || len(bodies) != 1 || bodies[0]["delivery_id"] != hookID {
			t.Errorf("webhook: %d calls and %v, want the failed one and one with delivery_id %s", calls, bodies, hookID)
		}
		mails := f.mails()["default@acme.example"]
		if len(mails) != 1 || !strings.Contains(mails[0].Data, "the body as claimed") {
			t.Errorf("mails after the restart: %+v", mails)
		}
	})
}

// TestNotifier_RetryFollowsPreferences: a delivery retried after the user
// switched the webhook off fails for good instead of posting.
func TestNotifier_RetryFollowsPreferences(t *testing.T) {
	f := newNotifyFixture(t, servicetest.NewStore())
	f.hook.failures = 100
	n := f.notifier(t)
	n.Backoff = 50 * time.Millisecond
	n.Handle(context.Background(), f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityLessCritical))
	f.waitFirstAttempt(t, "hook")
	if err := f.store.SetNotificationPreferences(context.Background(), f.users["hook"].ID, []byte(`{"webhook":{"enabled":false}}`)); err != nil {
		t.Fatal(err)
	}
	n.Wait()
	ds := f.deliveries(t, "hook")
	if len(ds) != 1 || ds[0].Status != fleetwatch.DeliveryFailed || !strings.Contains(ds[0].LastError, "switched off") || ds[0].Attempts >= 4 {
		t.Errorf("delivery %+v, want failed for the switched-off webhook", ds[0])
	}
}

// TestNotifier_DueDeliveriesSentOnce: more deliveries are due than two
// notifiers have sender slots; both claim them as slots free up: each is
// sent once. (The lease is longer than any send here: a shorter one lets a
// slow database turn a send not yet recorded into a repeat, the at-least-
// once case; TestNotifier_TakenOverWhileWaiting covers the take-over.)
func TestNotifier_DueDeliveriesSentOnce(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		f := newNotifyFixture(t, s)
		f.hook.failures, f.hook.delay = 0, 10*time.Millisecond
		ctx := context.Background()
		past := time.Now().Add(-time.Hour)
		const due = 24
		for i := range due {
			id := uuid.NewString()
			d := &fleetwatch.NotificationDelivery{UUID: id, UserID: f.users["hook"].ID, Channel: fleetwatch.ChannelWebhook,
				Kind: fleetwatch.EventExposureOpened, Key: fmt.Sprintf("due-%d", i), Target: "hook", Subject: "s",
				Body: `{"delivery_id":"` + id + `"}`, NextAttemptAt: &past}
			if ok, err := s.ClaimDelivery(ctx, d); err != nil || !ok {
				t.Fatalf("claim: %v %v", ok, err)
			}
		}
		runCtx, stop := context.WithCancel(ctx)
		var done sync.WaitGroup
		for range 2 {
			n := f.notifier(t)
			n.RetryEvery, n.Lease, n.DigestHour = 5*time.Millisecond, 5*time.Second, 25
			done.Add(1)
			go func() { defer done.Done(); _ = n.Run(runCtx) }()
		}
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			sent := 0
			for _, d := range f.deliveries(t, "hook") {
				if d.Status == fleetwatch.DeliverySent {
					sent++
				}
			}
			if sent == due {
				break
			} else if time.Now().After(deadline) {
				for _, d := range f.deliveries(t, "hook") {
					if d.Status != fleetwatch.DeliverySent {
						t.Logf("%s %s attempts %d next %v: %s", d.Key, d.Status, d.Attempts, d.NextAttemptAt, d.LastError)
					}
				}
				t.Fatalf("%d of %d sent", sent, due)
			}
		}
		stop()
		done.Wait()
		f.hook.mu.Lock()
		defer f.hook.mu.Unlock()
		seen := map[any]int{}
		for _, b := range f.hook.bodies {
			seen[b["delivery_id"]]++
		}
		for id, times := range seen {
			if times != 1 {
				t.Errorf("delivery %v sent %d times", id, times)
			}
		}
		if f.hook.calls != due || len(seen) != due {
			t.Errorf("%d calls for %d distinct deliveries, want %d of each", f.hook.calls, len(seen), due)
		}
	})
}

// TestNotifier_TakenOverWhileWaiting: a delivery another notifier took over
// while its owner waited to retry is not sent again by the owner.
func TestNotifier_TakenOverWhileWaiting(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		f := newNotifyFixture(t, s)
		f.hook.failures = 1
		ctx := context.Background()
		owner := f.notifier(t)
		owner.Backoff = 300 * time.Millisecond
		owner.Handle(ctx, f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityLessCritical))
		f.waitFirstAttempt(t, "hook")
		// While the owner waits out its backoff, another notifier takes
		// the delivery over and sends it.
		taken, err := s.ClaimDueDeliveries(ctx, time.Now().Add(time.Hour), time.Now(), 10)
		if err != nil || len(taken) != 1 {
			t.Fatalf("take over: %+v, %v", taken, err)
		}
		at := time.Now().UTC()
		taken[0].Status, taken[0].Attempts, taken[0].SentAt, taken[0].LastError = fleetwatch.DeliverySent, 2, &at, ""
		if err := s.UpdateDelivery(ctx, taken[0]); err != nil {
			t.Fatal(err)
		}
		owner.Wait()
		f.hook.mu.Lock()
		calls := f.hook.calls
		f.hook.mu.Unlock()
		if calls != 1 {
			t.Errorf("the webhook was called %d times, want once (the owner's failed attempt)", calls)
		}
		if ds := f.deliveries(t, "hook"); len(ds) != 1 || ds[0].Status != fleetwatch.DeliverySent || ds[0].Attempts != 2 {
			t.Errorf("delivery %+v, want sent by the notifier that took it over", ds[0])
		}
	})
}

// TestNotifier_RunStopsPromptly: stopping Run does not wait out a retry's
// backoff; the delivery stays pending for the next notifier.
func TestNotifier_RunStopsPromptly(t *testing.T) {
	f := newNotifyFixture(t, servicetest.NewStore())
	f.hook.failures = 100
	n := f.notifier(t)
	n.Backoff, n.DigestHour = time.Hour, 25
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = n.Run(ctx) }()
	for n.Events.Subscribers() == 0 {
		time.Sleep(time.Millisecond) // until Run has subscribed
	}
	f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityLessCritical)
	f.waitFirstAttempt(t, "hook")
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run still waiting 5 s after it was stopped")
	}
	if ds := f.deliveries(t, "hook"); len(ds) != 1 || ds[0].Status != fleetwatch.DeliveryPending || ds[0].Attempts != 1 {
		t.Errorf("after the stop: %+v, want pending after one attempt", ds[0])
	}
}

// TestNotifier_SendTest: a user sends themselves a test notification on
// e-mail or their webhook, and hears where it went or why it could not go:
// no mail server, no webhook, what the webhook answered; at most one every
// ten seconds.
func TestNotifier_SendTest(t *testing.T) {
	f := newNotifyFixture(t, servicetest.NewStore())
	n := f.notifier(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	n.Now = func() time.Time { return now }
	as := func(user string) context.Context {
		u := f.users[user]
		return fleetwatch.NewContextWithActor(context.Background(), &fleetwatch.Actor{UserID: u.ID, OrganizationID: u.OrganizationID, Role: u.Role})
	}
	if ch, err := n.Channels(as("default")); err != nil || !ch.Email || !ch.Webhook {
		t.Fatalf("channels = %+v, want both", ch)
	}

	sent, err := n.SendTest(as("default"), fleetwatch.ChannelEmail)
	if err != nil || sent.Target != "default@acme.example" || sent.Channel != fleetwatch.ChannelEmail || !sent.SentAt.Equal(now) {
		t.Fatalf("e-mail test = %+v, %v", sent, err)
	}
	if m := f.mails()["default@acme.example"]; len(m) != 1 || !strings.Contains(m[0].Data, "Subject: Fleetwatch test notification") {
		t.Fatalf("mails = %+v", m)
	}
	if _, err := n.SendTest(as("default"), fleetwatch.ChannelEmail); fleetwatch.ErrorCode(err) != fleetwatch.ETOOMANYREQUEST {
		t.Fatalf("second test within 10 s: %v, want too_many_requests", err)
	}

	// The hook fails its first two calls: the test says what it answered.
	_, err = n.SendTest(as("hook"), fleetwatch.ChannelWebhook)
	if fleetwatch.ErrorCode(err) != fleetwatch.EUNAVAILABLE || !strings.Contains(fleetwatch.ErrorMessage(err), "webhook did not accept") {
		t.Fatalf("webhook test while the hook fails: %v", err)
	}
	f.hook.mu.Lock()
	f.hook.failures = 0
	f.hook.mu.Unlock()
	now = now.Add(11 * time.Second)
	if sent, err := n.SendTest(as("hook"), fleetwatch.ChannelWebhook); err != nil || sent.Target == "" {
		t.Fatalf("webhook test = %+v, %v", sent, err)
	}
	f.hook.mu.Lock()
	bodies := f.hook.bodies
	f.hook.mu.Unlock()
	if len(bodies) != 1 || bodies[0]["kind"] != "test" {
		t.Fatalf("webhook bodies = %v", bodies)
	}

	for _, tc := range []struct {
		name, user, channel, want string
		n                         *service.Notifier
	}{
		{"no webhook set", "digest", fleetwatch.ChannelWebhook, "Set a webhook URL", n},
		{"unknown channel", "digest", "sms", "channel must be email or webhook", n},
		{"no mail server", "highonly", fleetwatch.ChannelEmail, "no mail server configured", &service.Notifier{Store: f.store}},
	} {
		_, err := tc.n.SendTest(as(tc.user), tc.channel)
		if fleetwatch.ErrorCode(err) != fleetwatch.EINVALID || !strings.Contains(fmt.Sprint(err), tc.want) {
			t.Errorf("%s: %v, want validation_failed saying %q", tc.name, err, tc.want)
		}
	}
	if ch, err := (&service.Notifier{}).Channels(as("default")); err != nil || ch.Email || ch.Webhook {
		t.Errorf("channels of a server with neither = %+v, %v", ch, err)
	}
	key := fleetwatch.NewContextWithActor(context.Background(), &fleetwatch.Actor{OrganizationID: f.org.ID, Role: fleetwatch.RoleViewer})
	if _, err := n.Channels(key); fleetwatch.ErrorCode(err) != fleetwatch.EFORBIDDEN {
		t.Errorf("channels for an API key: %v, want forbidden", err)
	}
}
