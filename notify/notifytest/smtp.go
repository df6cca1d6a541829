// Package notifytest runs an in-process SMTP server that speaks the real
// protocol (github.com/emersion/go-smtp), for tests of e-mail senders.
package notifytest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Message is one message the server accepted.
type Message struct {
	From     string
	To       []string
	Data     string
	Username string // who authenticated, "" when nobody did
}

// SMTPServer is an SMTP server on 127.0.0.1 that keeps what it receives.
type SMTPServer struct {
	// Addr is host:port.
	Addr string
	// Messages receives each accepted message.
	Messages chan Message
	// Username and Password, when set, are required (AUTH PLAIN).
	Username, Password string
	// RejectRcpt, when set, refuses these recipients with a 550.
	RejectRcpt map[string]bool

	mu sync.Mutex
}

// NewSMTPServer starts a server on 127.0.0.1:0 that requires the credentials
// (none when user is ""), stopped when the test ends.
func NewSMTPServer(tb testing.TB, user, password string) *SMTPServer {
	tb.Helper()
	s := &SMTPServer{Messages: make(chan Message, 100), Username: user, Password: password, RejectRcpt: map[string]bool{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	tb.Cleanup(func() { srv.Close() })
	return s
}

// Reject makes the server refuse a recipient.
func (s *SMTPServer) Reject(rcpt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.RejectRcpt[rcpt] = true
}

type session struct {
	s    *SMTPServer
	user string
	msg  Message
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.Username || password != ss.s.Password {
			return errors.New("invalid credentials")
		}
		ss.user = username
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.Username != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.msg = Message{From: from, Username: ss.user}
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.s.mu.Lock()
	reject := ss.s.RejectRcpt[to]
	ss.s.mu.Unlock()
	if reject {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	ss.msg.To = append(ss.msg.To, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.msg.Data = string(b)
	ss.s.Messages <- ss.msg
	return nil
}

func (ss *session) Reset()        { ss.msg = Message{} }
func (ss *session) Logout() error { return nil }
