package notify_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/notify"
)

// TestWebhook_ErrorsAreGeneric checks what a failed delivery says (shown to
// users in the delivery log) names the class of failure only: never the
// URL (which may carry a token), the address dialled or the answer's body.
func TestWebhook_ErrorsAreGeneric(t *testing.T) {
	answer := func(status int) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte("internal detail: db at 10.1.2.3 said no"))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	tlsOnly := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(tlsOnly.Close)

	const path = "/hooks/T0KEN-abc123?token=s3cr3t-q"
	for _, c := range []struct {
		name, base, want string
		permanent        bool
	}{
		{"refused", "http://" + closed, "webhook: connection refused", false},
		{"server error", answer(500).URL, "webhook: answered HTTP 500", false},
		{"not found", answer(404).URL, "webhook: answered HTTP 404", true},
		{"untrusted certificate", tlsOnly.URL, "webhook: TLS handshake failed", false},
		{"bad URL", "http://[::1", "webhook: the URL is invalid", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := &notify.Webhook{AllowPrivate: true}
			err := w.SendWebhook(context.Background(), c.base+path, "secret", []byte(`{"text":"x"}`))
			if err == nil {
				t.Fatal("sent")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, c.want) {
				t.Errorf("error %q, want %q", msg, c.want)
			}
			host := strings.TrimPrefix(strings.TrimPrefix(c.base, "http://"), "https://")
			for _, leak := range []string{"T0KEN", "s3cr3t", "/hooks", host, "127.0.0.1", "10.1.2.3", "internal detail"} {
				if strings.Contains(msg, leak) {
					t.Errorf("error %q shows %q", msg, leak)
				}
			}
			if got := errors.Is(err, fleetwatch.ErrPermanentDelivery); got != c.permanent {
				t.Errorf("permanent %v, want %v (%v)", got, c.permanent, err)
			}
		})
	}
}
