package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestAPI_WebhookSecretSealedAtRest checks a webhook secret is stored
// sealed (the raw notification_preferences column holds no plain text),
// reads back to its owner, and that one stored in plain text before
// secrets were sealed is sealed by SealWebhookSecrets, once.
func TestAPI_WebhookSecretSealedAtRest(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		const secret = "whsec-plaintext-7f3a9c"
		raw := func() string {
			u, err := e.store.FindUserByEmail(ctx, "root@example.com")
			if err != nil {
				t.Fatal(err)
			}
			return string(u.NotificationPreferences)
		}
		body := map[string]any{"webhook": map[string]any{"enabled": true, "url": "https://hooks.example.com/x", "secret": secret}}
		e.must(200, "PUT", "/api/v1/auth/me/notification-preferences", e.admin, body)
		if stored := raw(); !sealedOnly(stored, secret) {
			t.Fatalf("stored preferences hold the secret unsealed: %s", stored)
		}
		got := e.must(200, "GET", "/api/v1/auth/me/notification-preferences", e.admin, nil).data()["webhook"].(map[string]any)
		if got["secret"] != secret {
			t.Errorf("secret read back %v, want %q", got["secret"], secret)
		}

		// A secret stored in plain text by an older version.
		u, _ := e.store.FindUserByEmail(ctx, "root@example.com")
		legacy := `{"webhook":{"enabled":true,"url":"https://hooks.example.com/x","secret":"` + secret + `"}}`
		if err := e.store.SetNotificationPreferences(ctx, u.ID, []byte(legacy)); err != nil {
			t.Fatal(err)
		}
		if n, err := e.auth.SealWebhookSecrets(ctx); err != nil || n != 1 {
			t.Fatalf("SealWebhookSecrets: %d, %v; want 1 sealed", n, err)
		}
		if stored := raw(); !sealedOnly(stored, secret) {
			t.Fatalf("a plain-text secret stayed unsealed: %s", stored)
		}
		if n, err := e.auth.SealWebhookSecrets(ctx); err != nil || n != 0 {
			t.Errorf("SealWebhookSecrets again: %d, %v; want nothing sealed", n, err)
		}
		got = e.must(200, "GET", "/api/v1/auth/me/notification-preferences", e.admin, nil).data()["webhook"].(map[string]any)
		if got["secret"] != secret || got["url"] != "https://hooks.example.com/x" || got["enabled"] != true {
			t.Errorf("preferences after sealing: %v", got)
		}
	})
}

// sealedOnly reports whether stored preferences hold the webhook's secret
// sealed and nowhere in plain text.
func sealedOnly(stored, secret string) bool {
	var p struct {
		Webhook map[string]any `json:"webhook"`
	}
	if err := json.Unmarshal([]byte(stored), &p); err != nil {
		return false
	}
	sealed, _ := p.Webhook["sealed_secret"].(string)
	_, plain := p.Webhook["secret"]
	return !strings.Contains(stored, secret) && strings.HasPrefix(sealed, "v1:") && !plain
}
