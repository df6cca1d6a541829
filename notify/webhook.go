package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// SignatureHeader carries a webhook body's HMAC-SHA256 under the user's
// secret: "sha256=<hex>".
const SignatureHeader = "X-Fleetwatch-Signature"

// Webhook posts JSON bodies to webhooks. It implements
// fleetwatch.WebhookSender.
type Webhook struct {
	// Client sends the requests; when nil, one with a 10 s timeout that
	// refuses private addresses unless AllowPrivate.
	Client *http.Client
	// UserAgent identifies Fleetwatch.
	UserAgent string
	// AllowPrivate lets webhooks reach any address: loopback, private,
	// link-local and every other range isGlobalUnicast refuses. Off by default: any user may set a webhook URL, and the
	// server must not become their way into the network it runs in
	// (cloud metadata, internal services).
	AllowPrivate bool

	once   sync.Once
	client *http.Client
}

// ErrPrivateAddress refuses a webhook whose host resolves to an address
// that is not globally routable unicast (see isGlobalUnicast).
var ErrPrivateAddress = errors.New("the webhook's address is not public (set --webhook-allow-private to allow it)")

// publicOnly refuses connections to addresses that are not globally
// routable unicast. It runs on the address actually dialled, after DNS
// resolution, so a name that resolves to a private address (or a redirect
// to one) is refused too.
func publicOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	if !isGlobalUnicast(ip) {
		return ErrPrivateAddress
	}
	return nil
}

func (w *Webhook) httpClient() *http.Client {
	if w.Client != nil {
		return w.Client
	}
	w.once.Do(func() {
		dialer := &net.Dialer{Timeout: 5 * time.Second}
		if !w.AllowPrivate {
			dialer.Control = publicOnly
		}
		w.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			DialContext: dialer.DialContext, Proxy: nil, MaxIdleConnsPerHost: 4, IdleConnTimeout: 90 * time.Second,
		}}
	})
	return w.client
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

// SendWebhook posts body once. Any 2xx succeeds; 408, 429 and 5xx answers
// and network errors are worth retrying; other answers wrap
// fleetwatch.ErrPermanentDelivery. Without a secret no signature is sent.
func (w *Webhook) SendWebhook(ctx context.Context, url, secret string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return &deliveryError{msg: "webhook: the URL is invalid", cause: fmt.Errorf("%w: %w", fleetwatch.ErrPermanentDelivery, errors.Unwrap(err))}
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
	res, err := w.httpClient().Do(req)
	if errors.Is(err, ErrPrivateAddress) {
		return fmt.Errorf("webhook: %w: %w", fleetwatch.ErrPermanentDelivery, ErrPrivateAddress)
	} else if err != nil {
		return &deliveryError{msg: "webhook: " + networkFailure(err), cause: err}
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return nil
	case res.StatusCode == http.StatusRequestTimeout, res.StatusCode == http.StatusTooManyRequests, res.StatusCode >= 500:
		return fmt.Errorf("webhook: answered HTTP %d", res.StatusCode)
	}
	return fmt.Errorf("webhook: answered HTTP %d: %w", res.StatusCode, fleetwatch.ErrPermanentDelivery)
}

// deliveryError is a failed send as users see it: a generic message that
// names no URL (which may carry a token), address or answer, while errors.Is
// still sees the cause.
type deliveryError struct {
	msg   string
	cause error
}

func (e *deliveryError) Error() string { return e.msg }
func (e *deliveryError) Unwrap() error { return e.cause }

// networkFailure names the class of a failed request in words that say
// nothing of where it went.
func networkFailure(err error) string {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &dnsErr):
		return "the host name did not resolve"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed by the server"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "host unreachable"
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alert):
		return "TLS handshake failed"
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return "the request failed"
}
