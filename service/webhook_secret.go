package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// Webhook secrets are kept sealed at rest, as TOTP secrets are: in the
// stored notification preferences the webhook's secret is "sealed_secret"
// (AES-256-GCM under a key derived from the server's secret), never
// "secret". Preferences saved before secrets were sealed still hold
// "secret" in plain text: SealWebhookSecrets seals them at start, and until
// it has, they are read as they are.

// WebhookSecrets seals and opens users' webhook secrets. A nil
// *WebhookSecrets opens only plain-text secrets.
type WebhookSecrets struct{ sealer *sealer }

func newWebhookSecrets(secret []byte) (*WebhookSecrets, error) {
	s, err := newSealer(deriveKey(secret, "webhook-secret-encryption"))
	if err != nil {
		return nil, err
	}
	return &WebhookSecrets{sealer: s}, nil
}

// storedPreferences are notification preferences as the database keeps
// them: the webhook's secret sealed.
type storedPreferences struct {
	fleetwatch.NotificationPreferences
	// Webhook hides NotificationPreferences.Webhook in JSON.
	Webhook storedWebhook `json:"webhook"`
}

type storedWebhook struct {
	fleetwatch.WebhookChannel
	// SealedSecret is the webhook's secret, sealed. WebhookChannel.Secret
	// is set only in preferences saved before secrets were sealed.
	SealedSecret string `json:"sealed_secret,omitempty"`
}

// decodeStoredPreferences reads stored preferences, the defaults when none
// were saved. Saved preferences are complete (SetNotificationPreferences
// writes the whole struct), and false flags are omitted from them, so they
// are decoded over zero values, not over the defaults: a channel switched
// off stays off.
func decodeStoredPreferences(raw json.RawMessage) (storedPreferences, error) {
	if s := strings.TrimSpace(string(raw)); s == "" || s == "{}" || s == "null" {
		p := fleetwatch.DefaultNotificationPreferences()
		return storedPreferences{NotificationPreferences: p, Webhook: storedWebhook{WebhookChannel: p.Webhook}}, nil
	}
	var sp storedPreferences
	if err := json.Unmarshal(raw, &sp); err != nil {
		return sp, fmt.Errorf("decode preferences: %w", err)
	}
	return sp, nil
}

// preferences returns the preferences without the webhook's secret (a
// plain-text one stays, until sealed).
func (sp storedPreferences) preferences() fleetwatch.NotificationPreferences {
	p := sp.NotificationPreferences
	p.Webhook = sp.Webhook.WebhookChannel
	return p
}

// secret returns the webhook's secret in plain text, "" when it has none.
func (w *WebhookSecrets) secret(sp storedPreferences) (string, error) {
	if sp.Webhook.SealedSecret == "" {
		return sp.Webhook.Secret, nil
	}
	if w == nil {
		return "", errors.New("webhook secrets cannot be opened here")
	}
	plain, err := w.sealer.open(sp.Webhook.SealedSecret)
	if err != nil {
		return "", fmt.Errorf("open webhook secret: %w", err)
	}
	return plain, nil
}

// encode returns preferences as they are stored: the secret sealed.
func (w *WebhookSecrets) encode(p fleetwatch.NotificationPreferences) (json.RawMessage, error) {
	sp := storedPreferences{NotificationPreferences: p, Webhook: storedWebhook{WebhookChannel: p.Webhook}}
	sp.Webhook.Secret = ""
	if p.Webhook.Secret != "" {
		sealed, err := w.sealer.seal(p.Webhook.Secret)
		if err != nil {
			return nil, fmt.Errorf("seal webhook secret: %w", err)
		}
		sp.Webhook.SealedSecret = sealed
	}
	b, err := json.Marshal(sp)
	if err != nil {
		return nil, fmt.Errorf("encode preferences: %w", err)
	}
	return b, nil
}

// WebhookSecrets returns what seals and opens webhook secrets under the
// server's secret (the Notifier opens them to sign deliveries).
func (s *Auth) WebhookSecrets() *WebhookSecrets { return s.webhooks }

// SealWebhookSecrets seals every webhook secret still stored in plain text
// and returns how many it sealed. It is idempotent (a sealed secret is not
// sealed again), so every start runs it. It rewrites the preferences it
// read: a user saving theirs in the same instant (the first start after
// the upgrade) could see the save undone.
func (s *Auth) SealWebhookSecrets(ctx context.Context) (int, error) {
	sealed := 0
	for page := 1; ; page++ {
		users, total, err := s.Store.FindUsers(ctx, fleetwatch.UserFilter{
			ListOptions: fleetwatch.ListOptions{Page: page, PerPage: fleetwatch.MaxPerPage}})
		if err != nil {
			return sealed, err
		}
		for _, u := range users {
			sp, err := decodeStoredPreferences(u.NotificationPreferences)
			if err != nil || sp.Webhook.Secret == "" {
				continue // undecodable preferences are reported where they are used
			}
			p := sp.preferences()
			b, err := s.webhooks.encode(p)
			if err != nil {
				return sealed, err
			}
			if err := s.Store.SetNotificationPreferences(ctx, u.ID, b); err != nil {
				return sealed, fmt.Errorf("seal webhook secret of user %d: %w", u.ID, err)
			}
			sealed++
		}
		if page*fleetwatch.MaxPerPage >= total || len(users) == 0 {
			return sealed, nil
		}
	}
}
