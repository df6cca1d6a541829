package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

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
			err := (&notify.Webhook{}).SendWebhook(context.Background(), srv.URL, "shh", body)
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
