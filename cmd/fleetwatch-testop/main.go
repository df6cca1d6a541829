// Command fleetwatch-testop runs the test OpenID Provider of
// internal/oidctest on loopback, for trying single sign-on by hand and
// for the dashboard's end-to-end test. It is not an identity provider for
// production: anyone who reaches its sign-in page picks who they are.
//
//	fleetwatch-testop --addr 127.0.0.1:5556 \
//	  --redirect-uri http://127.0.0.1:8080/api/v1/auth/sso/callback
//
// It prints its issuer URL and serves until interrupted.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/fleetwatch/fleetwatch/internal/oidctest"
)

// defaultUsers are the people of the test provider: an operations team
// whose leads and members map to organizations, and someone whose e-mail
// is not verified.
var defaultUsers = []oidctest.User{
	{Username: "alice", Subject: "alice", Email: "alice@example.com", EmailVerified: true, Name: "Alice Lead", Groups: []string{"ops-leads", "ops"}, AMR: []string{"pwd", "otp", "mfa"}},
	{Username: "bob", Subject: "bob", Email: "bob@example.com", EmailVerified: true, Name: "Bob Member", Groups: []string{"ops"}, AMR: []string{"pwd"}},
	{Username: "carol", Subject: "carol", Email: "carol@example.com", EmailVerified: false, Name: "Carol Unverified", Groups: []string{"ops"}, AMR: []string{"pwd"}},
	{Username: "erin", Subject: "erin", Email: "erin@example.com", EmailVerified: true, Name: "Erin Marketing", Groups: []string{"marketing"}, AMR: []string{"pwd"}},
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fleetwatch-testop:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("fleetwatch-testop", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:5556", "loopback address to listen on")
	clientID := fs.String("client-id", "fleetwatch", "the one client's id")
	secret := fs.String("client-secret", "fleetwatch-test-secret", "the one client's secret")
	redirect := fs.String("redirect-uri", "http://127.0.0.1:8080/api/v1/auth/sso/callback", "Fleetwatch's callback (PUBLIC_URL/api/v1/auth/sso/callback)")
	logout := fs.String("post-logout-redirect-uri", "", "where sign-out returns; default the callback's host + /sign-in")
	users := fs.String("users", "", "JSON array of users ({username, sub, email, email_verified, name, groups, amr}); default alice, bob, carol, erin")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*addr, "127.") && !strings.HasPrefix(*addr, "localhost:") && !strings.HasPrefix(*addr, "[::1]:") {
		return fmt.Errorf("--addr %s: the test provider listens on loopback only", *addr)
	}
	cfg := oidctest.Config{Addr: *addr, ClientID: *clientID, ClientSecret: *secret, RedirectURIs: []string{*redirect}, Users: defaultUsers}
	if *logout == "" {
		*logout = strings.TrimSuffix(*redirect, "/api/v1/auth/sso/callback") + "/sign-in"
	}
	cfg.PostLogoutRedirectURIs = []string{*logout}
	if *users != "" {
		cfg.Users = nil
		if err := json.Unmarshal([]byte(*users), &cfg.Users); err != nil {
			return fmt.Errorf("--users: %w", err)
		}
	}
	p, err := oidctest.Start(cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	fmt.Println(p.Issuer)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	<-stop
	return nil
}
