package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/service/servicetest"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// syncBuffer is a log sink the notifier's goroutines may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestNotifier_LogsNameWebhookHost checks a failed webhook delivery is
// logged with the webhook's host, never its URL (which may carry a token),
// and that the error users see is generic.
func TestNotifier_LogsNameWebhookHost(t *testing.T) {
	s := servicetest.NewStore()
	f := newNotifyFixture(t, s)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close() // nothing listens there: connection refused
	hookURL := "http://" + host + "/hooks/T0KEN-abc123?token=s3cr3t-q"
	p := fleetwatch.NotificationPreferences{Webhook: fleetwatch.WebhookChannel{
		NotificationChannel: fleetwatch.NotificationChannel{Enabled: true}, URL: hookURL}}
	b, _ := json.Marshal(p)
	if err := s.SetNotificationPreferences(context.Background(), f.users["hook"].ID, b); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	n := f.notifier(t)
	n.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	n.Attempts = 1
	n.Handle(context.Background(), f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityCritical))
	n.Wait()

	out := logs.String()
	if !strings.Contains(out, "notification failed") || !strings.Contains(out, "host="+host) {
		t.Errorf("the failure is not logged with the webhook's host %s:\n%s", host, out)
	}
	for _, leak := range []string{"T0KEN", "s3cr3t", "/hooks", "token="} {
		if strings.Contains(out, leak) {
			t.Errorf("the log shows the webhook's URL (%q):\n%s", leak, out)
		}
	}
	ds := f.deliveries(t, "hook")
	if len(ds) != 1 || ds[0].Status != fleetwatch.DeliveryFailed {
		t.Fatalf("deliveries %+v, want one failed", ds)
	}
	if got := ds[0].LastError; got != "webhook: connection refused" {
		t.Errorf("the error users see is %q, want %q", got, "webhook: connection refused")
	}
}

// TestNotifier_SignsWithSealedSecret checks a webhook secret sealed at rest
// (here: a plain-text one sealed by SealWebhookSecrets) still signs
// deliveries, and that a notifier that cannot open it fails the delivery
// without sending it unsigned.
func TestNotifier_SignsWithSealedSecret(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newNotifyFixture(t, s)
		f.hook.failures = 0
		passwords, err := service.NewPasswords(4, 1)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := service.NewAuth(s, passwords, &service.Activity{Store: s, Logger: slog.New(slog.DiscardHandler)}, []byte("test-secret-key-test-secret-key-0123456789"))
		if err != nil {
			t.Fatal(err)
		}
		if n, err := auth.SealWebhookSecrets(ctx); err != nil || n != 1 {
			t.Fatalf("SealWebhookSecrets: %d, %v; want 1", n, err)
		}
		u, err := s.FindUserByID(ctx, f.users["hook"].ID)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(u.NotificationPreferences), "hook-secret") {
			t.Fatalf("the secret is stored in plain text: %s", u.NotificationPreferences)
		}

		blind := f.notifier(t) // no Secrets
		blind.Attempts = 1
		blind.Handle(ctx, f.event(t, fleetwatch.EventExposureOpened, fleetwatch.SeverityCritical))
		blind.Wait()
		if ds := f.deliveries(t, "hook"); len(ds) != 1 || ds[0].Status != fleetwatch.DeliveryFailed || !strings.Contains(ds[0].LastError, "secret cannot be read") {
			t.Errorf("a notifier without the key: deliveries %+v, want one failed", ds)
		}

		n := f.notifier(t)
		n.Secrets = auth.WebhookSecrets()
		e, _ := fleetwatch.NewEvent(fleetwatch.EventSLABreached, f.org.ID, fleetwatch.ExposureEventData{ExposureID: "x2", SiteName: "Acme shop", Project: "ctools"})
		e.ID = "sealed-1"
		n.Handle(ctx, &e)
		n.Wait()
		f.hook.mu.Lock()
		defer f.hook.mu.Unlock()
		if f.hook.calls != 1 || f.hook.badSig != 0 || len(f.hook.bodies) != 1 {
			t.Errorf("webhook: %d calls, %d bad signatures, %d accepted; want 1 signed delivery", f.hook.calls, f.hook.badSig, len(f.hook.bodies))
		}
	})
}
