package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/notify"
	"github.com/fleetwatch/fleetwatch/notify/notifytest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		url                    string
		addr, user, pass, from string
		implicitTLS, wantErr   bool
	}{
		{url: "smtp://u:p@mail.example:587", addr: "mail.example:587", user: "u", pass: "p", from: "fleetwatch@mail.example"},
		{url: "smtp://mail.example", addr: "mail.example:25", from: "fleetwatch@mail.example"},
		{url: "smtps://mail.example?from=ops@acme.example", addr: "mail.example:465", from: "ops@acme.example", implicitTLS: true},
		{url: "http://mail.example", wantErr: true},
		{url: "smtp://", wantErr: true},
		{url: "smtp://mail.example?from=not-an-address", wantErr: true},
	} {
		t.Run(tc.url, func(t *testing.T) {
			s, err := notify.ParseSMTPURL(tc.url)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error for %s", tc.url)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Addr != tc.addr || s.Username != tc.user || s.Password != tc.pass || s.From != tc.from || s.ImplicitTLS != tc.implicitTLS {
				t.Errorf("got %+v", s)
			}
		})
	}
}

func TestSMTP_SendMail(t *testing.T) {
	srv := notifytest.NewSMTPServer(t, "fleet", "s3cret")
	s, err := notify.ParseSMTPURL("smtp://fleet:s3cret@" + srv.Addr + "?from=alerts@fleet.example")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	t.Run("OK", func(t *testing.T) {
		if err := s.SendMail(ctx, "ops@acme.example", "Critical: ctools on Acme — ünïcode", "Line one\n.leading dot\nLine three"); err != nil {
			t.Fatal(err)
		}
		select {
		case m := <-srv.Messages:
			if m.From != "alerts@fleet.example" || len(m.To) != 1 || m.To[0] != "ops@acme.example" || m.Username != "fleet" {
				t.Errorf("envelope %+v", m)
			}
			for _, want := range []string{"Subject: =?utf-8?q?", "To: ops@acme.example", "\r\n.leading dot\r\n", "Content-Type: text/plain; charset=utf-8"} {
				if !strings.Contains(m.Data, want) {
					t.Errorf("message lacks %q:\n%s", want, m.Data)
				}
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no message arrived")
		}
	})

	t.Run("ErrPermanent", func(t *testing.T) {
		srv.Reject("gone@acme.example")
		err := s.SendMail(ctx, "gone@acme.example", "s", "b")
		if !errors.Is(err, fleetwatch.ErrPermanentDelivery) {
			t.Errorf("refused recipient: %v, want a permanent error", err)
		}
	})

	t.Run("ErrAuth", func(t *testing.T) {
		bad := *s
		bad.Password = "wrong"
		if err := bad.SendMail(ctx, "ops@acme.example", "s", "b"); err == nil {
			t.Error("wrong password accepted")
		}
	})

	t.Run("ErrUnreachable", func(t *testing.T) {
		down := *s
		down.Addr = "127.0.0.1:1"
		err := down.SendMail(ctx, "ops@acme.example", "s", "b")
		if err == nil || errors.Is(err, fleetwatch.ErrPermanentDelivery) {
			t.Errorf("unreachable server: %v, want a transient error", err)
		}
	})
}
