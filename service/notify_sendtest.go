package service

import (
	"context"
	"encoding/json"
	"net/url"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// testSendEvery is how often one user may send themselves a test
// notification.
const testSendEvery = 10 * time.Second

// sendTimeout bounds a test notification's send.
const sendTimeout = 30 * time.Second

// Channels says which channels this server can send on, to a signed-in
// user (whose preferences they are about).
func (n *Notifier) Channels(ctx context.Context) (fleetwatch.NotificationChannels, error) {
	if _, err := signedInUser(ctx); err != nil {
		return fleetwatch.NotificationChannels{}, err
	}
	return fleetwatch.NotificationChannels{Email: n.Mailer != nil, Webhook: n.Webhooks != nil}, nil
}

// signedInUser is the caller when a user (not a key) is signed in.
func signedInUser(ctx context.Context) (*fleetwatch.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if a.UserID == 0 {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only a signed-in user has notification channels; an API key has none.")
	}
	return a, nil
}

// SendTest sends the signed-in user a test notification on channel
// (fleetwatch.ChannelEmail or ChannelWebhook) now, to the address or the
// webhook of their preferences, and says where it went. It is not a
// delivery: nothing is recorded or retried, and the error says why it
// failed — no mail server on this server, no webhook set, or what the mail
// server or the webhook answered.
func (n *Notifier) SendTest(ctx context.Context, channel string) (*fleetwatch.NotificationTest, error) {
	if channel != fleetwatch.ChannelEmail && channel != fleetwatch.ChannelWebhook {
		return nil, invalidChannel("channel must be email or webhook")
	}
	a, err := signedInUser(ctx)
	if err != nil {
		return nil, err
	}
	u, err := n.Store.FindUserByID(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	now := n.now()
	n.mu.Lock()
	if n.lastTest == nil {
		n.lastTest = map[int64]time.Time{}
	}
	if last, ok := n.lastTest[u.ID]; ok && now.Sub(last) < testSendEvery {
		n.mu.Unlock()
		return nil, fleetwatch.Errorf(fleetwatch.ETOOMANYREQUEST, "A test notification was sent less than %s ago; wait a moment.", testSendEvery)
	}
	n.lastTest[u.ID] = now
	n.mu.Unlock()

	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	text := "This is a test notification from Fleetwatch, sent at your request from " + n.PublicURL + "/account.\n" +
		"Notifications of new security updates and SLA breaches will reach you here."
	out := &fleetwatch.NotificationTest{Channel: channel, SentAt: now}
	switch channel {
	case fleetwatch.ChannelEmail:
		if n.Mailer == nil {
			return nil, invalidChannel("This server has no mail server configured (--smtp-url, FLEETWATCH_SMTP_URL): e-mail cannot be sent. Ask its administrator.")
		}
		out.Target = u.Email
		if err := n.Mailer.SendMail(ctx, u.Email, "Fleetwatch test notification", text); err != nil {
			return nil, fleetwatch.Errorf(fleetwatch.EUNAVAILABLE, "The mail server did not accept the test e-mail: %v", err)
		}
	case fleetwatch.ChannelWebhook:
		if n.Webhooks == nil {
			return nil, invalidChannel("This server does not post webhooks.")
		}
		sp, err := decodeStoredPreferences(u.NotificationPreferences)
		if err != nil {
			return nil, err
		}
		if sp.Webhook.URL == "" {
			return nil, invalidChannel("Set a webhook URL in your notification preferences first.")
		}
		secret, err := n.Secrets.secret(sp)
		if err != nil {
			return nil, err
		}
		if wu, err := url.Parse(sp.Webhook.URL); err == nil {
			out.Target = wu.Host
		}
		body, err := json.Marshal(webhookBody{Text: text, Kind: "test"})
		if err != nil {
			return nil, err
		}
		if err := n.Webhooks.SendWebhook(ctx, sp.Webhook.URL, secret, body); err != nil {
			return nil, fleetwatch.Errorf(fleetwatch.EUNAVAILABLE, "The webhook did not accept the test notification: %v", err)
		}
	}
	return out, nil
}

// invalidChannel is the error of a test notification the channel cannot
// take.
func invalidChannel(msg string) error {
	var v fleetwatch.Validation
	v.Add("/channel", "%s", msg)
	return v.Err()
}
