// Package oidctest runs a real OpenID Provider on loopback for tests and for
// trying single sign-on by hand: zitadel/oidc's OP package (discovery,
// authorization code with PKCE, signed ID tokens, JWKS, RP-initiated
// logout) with a fresh RSA key, in-memory storage, and a sign-in page that
// picks one of the configured users or denies consent.
//
// Tests can make it misbehave the ways a relying party must survive: codes
// that expire, and ID tokens that were tampered with, meant for another
// client, or carry another nonce (see Tamper).
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// User is a person the provider can sign in.
type User struct {
	Username      string   `json:"username"`
	Subject       string   `json:"sub"`
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	Name          string   `json:"name"`
	Groups        []string `json:"groups"`
	// AMR is what the ID token's amr claim says of how the user signed in
	// ("pwd", "mfa", …).
	AMR []string `json:"amr"`
}

// Tamper is how the provider spoils the ID tokens it issues.
type Tamper int

// The ways to spoil an ID token.
const (
	TamperNone      Tamper = iota
	TamperSignature        // a claim changed after signing: the signature no longer matches
	TamperAudience         // validly signed, for another client
	TamperNonce            // validly signed, with another nonce
	TamperExpired          // validly signed, expired an hour ago
)

// Config configures a Provider.
type Config struct {
	// Addr is where to listen; 127.0.0.1:0 when empty.
	Addr                   string
	ClientID, ClientSecret string
	// RedirectURIs and PostLogoutRedirectURIs are the client's registered
	// addresses.
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Users                  []User
	// CodeTTL is how long an authorization code can be exchanged; one
	// minute when zero.
	CodeTTL time.Duration
}

// Provider is a running OpenID Provider.
type Provider struct {
	// Issuer is the provider's URL, e.g. http://127.0.0.1:41234.
	Issuer string

	st     *storage
	op     *op.Provider
	srv    *http.Server
	ln     net.Listener
	tamper Tamper
	mu     sync.Mutex
}

// Start starts a provider; Close stops it.
func Start(cfg Config) (*Provider, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.CodeTTL == 0 {
		cfg.CodeTTL = time.Minute
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("rsa key: %w", err)
	}
	kid, err := randomID()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	p := &Provider{Issuer: "http://" + ln.Addr().String(), ln: ln}
	p.st = newStorage(cfg, key, kid)
	var cryptoKey [32]byte
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		ln.Close()
		return nil, err
	}
	p.op, err = op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		CodeMethodS256:           true,
		AuthMethodPost:           true,
		DefaultLogoutRedirectURI: "/logged-out",
	}, p.st, op.StaticIssuer(p.Issuer), op.WithAllowInsecure())
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("op: %w", err)
	}
	mux := http.NewServeMux()
	issuer := op.NewIssuerInterceptor(p.op.IssuerFromRequest)
	mux.Handle("/login", issuer.HandlerFunc(p.login))
	mux.HandleFunc("/logged-out", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "Signed out of the test provider.")
	})
	mux.Handle("/oauth/token", p.tamperTokens(p.op))
	mux.Handle("/", p.op)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go p.srv.Serve(ln) //nolint:errcheck // ends with Close
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() error { return p.srv.Close() }

// SetUser adds a user or replaces the one with the same username (their
// groups change, say), effective from the next sign-in.
func (p *Provider) SetUser(u User) { p.st.setUser(u) }

// SetTamper makes the provider spoil the ID tokens it issues from now on.
func (p *Provider) SetTamper(t Tamper) {
	p.mu.Lock()
	p.tamper = t
	p.mu.Unlock()
}

// ExpireCodes makes every authorization code issued so far expired.
func (p *Provider) ExpireCodes() { p.st.expireCodes() }

// Logouts returns the subjects whose sessions ended by RP-initiated logout.
func (p *Provider) Logouts() []string { return p.st.logouts() }

var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><h1>Test identity provider</h1>
<p>Signing in to <b>{{.Client}}</b>. Choose who you are.</p>
<form method="post" action="/login">
<input type="hidden" name="id" value="{{.ID}}">
{{range .Users}}<button type="submit" name="username" value="{{.Username}}">Sign in as {{.Username}} ({{.Email}})</button><br>
{{end}}<button type="submit" name="deny" value="1">Deny</button>
</form></body></html>`))

// login is the provider's sign-in page: GET shows the users, POST signs
// one in (or denies consent) and returns to the OP's callback.
func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodGet {
		id := r.FormValue("authRequestID")
		req, err := p.st.AuthRequestByID(r.Context(), id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = loginPage.Execute(w, map[string]any{"ID": id, "Client": req.GetClientID(), "Users": p.st.userList()})
		return
	}
	id := r.FormValue("id")
	req, err := p.st.AuthRequestByID(r.Context(), id)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.FormValue("deny") != "" {
		op.AuthRequestError(w, r, req, oidc.ErrAccessDenied().WithDescription("The user denied the request."), p.op)
		return
	}
	if err := p.st.signIn(id, r.FormValue("username")); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(w, r, op.AuthCallbackURL(p.op)(r.Context(), id), http.StatusFound)
}

// tamperTokens spoils the id_token of the token endpoint's answers, as
// SetTamper says.
func (p *Provider) tamperTokens(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		t := p.tamper
		p.mu.Unlock()
		if t == TamperNone {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		var resp map[string]any
		if rec.Code == http.StatusOK && json.Unmarshal(body, &resp) == nil {
			if raw, ok := resp["id_token"].(string); ok {
				spoiled, err := p.spoil(raw, t)
				if err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				resp["id_token"] = spoiled
				body, _ = json.Marshal(resp)
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
}

func (p *Provider) spoil(raw string, t Tamper) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("id token is not a JWS")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	switch t {
	case TamperSignature:
		claims["email"] = "mallory@example.com"
		b, _ := json.Marshal(claims)
		return parts[0] + "." + base64.RawURLEncoding.EncodeToString(b) + "." + parts[2], nil
	case TamperAudience:
		claims["aud"] = []string{"another-client"}
		claims["azp"] = "another-client"
	case TamperNonce:
		claims["nonce"] = "not-the-nonce-that-was-sent"
	case TamperExpired:
		claims["iat"] = time.Now().Add(-2 * time.Hour).Unix()
		claims["exp"] = time.Now().Add(-time.Hour).Unix()
	}
	return p.st.sign(claims)
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// sign signs claims with the provider's own key.
func (s *storage) sign(claims map[string]any) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: s.key, KeyID: s.kid}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(claims)
	jws, err := signer.Sign(b)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
