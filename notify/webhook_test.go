package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/notify"
)

func TestWebhook_SendWebhook(t *testing.T) {
	body := []byte(`{"text":"hello"}`)
	for _, tc := range []struct {
		name          string
		status        int
		wantErr       bool
		wantPermanent bool
	}{
		{"OK", 200, false, false},
		{"Accepted", 202, false, false},
		{"ServerError", 500, true, false},
		{"TooManyRequests", 429, true, false},
		{"NotFound", 404, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotSig, gotType string
			var gotBody []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotSig, gotType = r.Header.Get(notify.SignatureHeader), r.Header.Get("Content-Type")
				gotBody, _ = io.ReadAll(r.Body)
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			err := (&notify.Webhook{AllowPrivate: true}).SendWebhook(context.Background(), srv.URL, "shh", body)
			if (err != nil) != tc.wantErr || errors.Is(err, fleetwatch.ErrPermanentDelivery) != tc.wantPermanent {
				t.Fatalf("err = %v", err)
			}
			if !notify.Verify("shh", gotBody, gotSig) || notify.Verify("other", gotBody, gotSig) {
				t.Errorf("signature %q does not verify", gotSig)
			}
			if gotType != "application/json" || string(gotBody) != string(body) {
				t.Errorf("got %s %s", gotType, gotBody)
			}
		})
	}
}

func TestSign(t *testing.T) {
	// echo -n '{"text":"hello"}' | openssl dgst -sha256 -hmac shh
	want := "sha256=e92d82bb74ef6c07fd308cb239ba96652ced3a452af6079d89a09e3cadd128f7"
	if got := notify.Sign("shh", []byte(`{"text":"hello"}`)); got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

// TestWebhook_RefusesPrivateAddresses checks that, unless allowed, a
// webhook cannot reach the network the server runs in, by address or by a
// name that resolves into it.
func TestWebhook_RefusesPrivateAddresses(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":"):]
	for _, url := range []string{srv.URL, "http://localhost" + port, "http://[::1]" + port, "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/x"} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		err := (&notify.Webhook{}).SendWebhook(ctx, url, "", []byte(`{}`))
		cancel()
		if !errors.Is(err, notify.ErrPrivateAddress) || !errors.Is(err, fleetwatch.ErrPermanentDelivery) {
			t.Errorf("%s: err = %v, want a permanent refusal of a private address", url, err)
		}
	}
	if hit {
		t.Error("a private webhook was delivered")
	}
}
