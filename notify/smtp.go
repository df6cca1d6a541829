package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"net/url"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// SMTP sends e-mail through one SMTP server. It implements fleetwatch.Mailer.
type SMTP struct {
	// Addr is the server's host:port.
	Addr string
	// Username and Password authenticate with PLAIN when set; net/smtp
	// refuses to send them unencrypted except to localhost.
	Username, Password string
	// From is the sender address.
	From string
	// ImplicitTLS connects with TLS from the start (smtps://, port 465);
	// otherwise STARTTLS is used when the server offers it.
	ImplicitTLS bool
	// TLSConfig is for tests; nil verifies the server's certificate.
	TLSConfig *tls.Config
	// Timeout bounds one send; 30 s when 0.
	Timeout time.Duration
}

var _ fleetwatch.Mailer = (*SMTP)(nil)

// ParseSMTPURL reads smtp://user:pass@host:port?from=addr (or smtps://).
// The sender defaults to fleetwatch@host; the port to 25 (smtp) or 465
// (smtps).
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	s := &SMTP{}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.ImplicitTLS = true
	default:
		return nil, errors.New("smtp url: the scheme must be smtp or smtps")
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return nil, errors.New("smtp url: no host")
	}
	if port == "" {
		port = "25"
		if s.ImplicitTLS {
			port = "465"
		}
	}
	s.Addr = net.JoinHostPort(host, port)
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	s.From = u.Query().Get("from")
	if s.From == "" {
		s.From = "fleetwatch@" + host
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return nil, fmt.Errorf("smtp url: from %q is not an address", s.From)
	}
	return s, nil
}

// SendMail sends a plain-text message to one recipient. A recipient or
// message the server refuses permanently (5xx) wraps
// fleetwatch.ErrPermanentDelivery.
func (s *SMTP) SendMail(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to, "\r\n") {
		return fmt.Errorf("send mail: bad recipient: %w", fleetwatch.ErrPermanentDelivery)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("send mail: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	if s.ImplicitTLS {
		conn = tls.Client(conn, tlsConfig)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("send mail: %w", err)
	}
	defer c.Close()
	if err := s.send(c, tlsConfig, to, message(s.From, to, subject, body)); err != nil {
		var tpErr *textproto.Error
		if errors.As(err, &tpErr) && tpErr.Code >= 500 {
			return fmt.Errorf("send mail: %w: %w", fleetwatch.ErrPermanentDelivery, err)
		}
		return fmt.Errorf("send mail: %w", err)
	}
	return nil
}

func (s *SMTP) send(c *smtp.Client, tlsConfig *tls.Config, to string, msg []byte) error {
	if !s.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsConfig); err != nil {
				return err
			}
		}
	}
	if s.Username != "" {
		host, _, _ := net.SplitHostPort(s.Addr)
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// message builds an RFC 5322 plain-text message with CRLF line ends; the
// DATA writer dot-stuffs it.
func message(from, to, subject, body string) []byte {
	var b strings.Builder
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from)
	header("To", to)
	header("Subject", mime.QEncoding.Encode("utf-8", strings.NewReplacer("\r", " ", "\n", " ").Replace(subject)))
	header("Date", time.Now().UTC().Format(time.RFC1123Z))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	body = strings.ReplaceAll(body, "\r\n", "\n")
	for _, line := range strings.Split(body, "\n") {
		b.WriteString(line + "\r\n")
	}
	return []byte(b.String())
}
