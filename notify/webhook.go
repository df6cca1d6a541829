package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// SignatureHeader carries a webhook body's HMAC-SHA256 under the user's
// secret: "sha256=<hex>".
const SignatureHeader = "X-Fleetwatch-Signature"

// Webhook posts JSON bodies to webhooks. It implements
// fleetwatch.WebhookSender.
type Webhook struct {
	// Client sends the requests; one with a 10 s timeout when nil.
	Client *http.Client
	// UserAgent identifies Fleetwatch.
	UserAgent string
}

var _ fleetwatch.WebhookSender = (*Webhook)(nil)

// Sign returns the signature header value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is the signature of body under secret, in
// constant time: what a receiver does.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}

// SendWebhook posts body once. Any 2xx succeeds; 408, 429 and 5xx answers
// and network errors are worth retrying; other answers wrap
// fleetwatch.ErrPermanentDelivery. Without a secret no signature is sent.
func (w *Webhook) SendWebhook(ctx context.Context, url, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: %w: %w", fleetwatch.ErrPermanentDelivery, err)
	}
	req.Header.Set("Content-Type", "application/json")
	ua := w.UserAgent
	if ua == "" {
		ua = "Fleetwatch-Webhook"
	}
	req.Header.Set("User-Agent", ua)
	if secret != "" {
		req.Header.Set(SignatureHeader, Sign(secret, body))
	}
	client := w.Client
	if client == nil {
		client = defaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == http.StatusRequestTimeout, res.StatusCode == http.StatusTooManyRequests, res.StatusCode >= 500:
		return fmt.Errorf("webhook: answered %d", res.StatusCode)
	}
	return fmt.Errorf("webhook: answered %d: %w", res.StatusCode, fleetwatch.ErrPermanentDelivery)
}
