package httpapi_test

import (
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// forEachBackendBehindProxy is forEachBackend with the test client as a
// trusted proxy: requests name their client in X-Forwarded-For.
func forEachBackendBehindProxy(t *testing.T, fn func(t *testing.T, e *env)) {
	sqlstoretest.ForEach(t, func(t *testing.T, store *sqlstore.Store) {
		fn(t, newEnv(t, store, func(c *httpapi.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
		}))
	})
}

// from is a request header naming the client behind the trusted proxy.
func from(addr string) []string { return []string{"X-Forwarded-For", addr} }

func TestAuth_ConcurrentGuessesAreCountedFirst(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		before := e.auth.Passwords.Compared()
		bad := map[string]string{"email": "root@example.com", "password": "not the password"}
		statuses := make([]int, 20)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = e.do("POST", "/api/v1/auth/login", "", bad).Status
			}()
		}
		wg.Wait()
		checked := e.auth.Passwords.Compared() - before
		if checked > 5 {
			t.Errorf("bcrypt ran %d times for 20 concurrent wrong passwords, want at most 5 (the limit)", checked)
		}
		n429 := 0
		for _, s := range statuses {
			switch s {
			case 401:
			case 429:
				n429++
			default:
				t.Errorf("status %d", s)
			}
		}
		if n429 < 15 {
			t.Errorf("%d of 20 concurrent guesses refused, want at least 15: %v", n429, statuses)
		}
	})
}

func TestAuth_LockoutIsPerAddress(t *testing.T) {
	forEachBackendBehindProxy(t, func(t *testing.T, e *env) {
		const attacker, owner = "203.0.113.9", "198.51.100.7"
		bad := map[string]string{"email": "root@example.com", "password": "not the password"}
		good := map[string]string{"email": "root@example.com", "password": testPassword}
		for range 5 {
			assertErrorShape(t, e.do("POST", "/api/v1/auth/login", "", bad, from(attacker)...), 401, "unauthorized")
		}
		r := e.do("POST", "/api/v1/auth/login", "", good, from(attacker)...)
		assertErrorShape(t, r, 429, "too_many_requests")
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// The platform admin signs in from their own address all the same.
		e.must(200, "POST", "/api/v1/auth/login", "", good, from(owner)...)

		// One address guessing many accounts is stopped; others are not.
		for i := range 30 {
			e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "user" + itoa2(i) + "@example.com", "password": "whatever1"}, from("192.0.2.66")...)
		}
		assertErrorShape(t, e.do("POST", "/api/v1/auth/login", "", good, from("192.0.2.66")...), 429, "too_many_requests")
		e.must(200, "POST", "/api/v1/auth/login", "", good, from(owner)...)
	})
}

// enableTOTP turns 2FA on for the user of tok and returns a code generator.
func enableTOTP(t *testing.T, e *env, tok string) func() string {
	t.Helper()
	secret := e.must(200, "POST", "/api/v1/auth/2fa/setup", tok, nil).data()["secret"].(string)
	code := func() string {
		c, err := totp.GenerateCodeCustom(secret, e.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	e.must(200, "POST", "/api/v1/auth/2fa/enable", tok, map[string]string{"code": code()})
	e.clock.Advance(time.Minute) // the enabling code's step is spent
	return code
}

func TestAuth_SecondFactorRoutesAreLimited(t *testing.T) {
	forEachBackendBehindProxy(t, func(t *testing.T, e *env) {
		const attacker, owner = "203.0.113.9", "198.51.100.7"
		orgID := e.createOrg("Acme")
		tok := e.createUser("cat@acme.example", "member", orgID)
		code := enableTOTP(t, e, tok)

		// A wrong password and a wrong code answer alike.
		wrongPassword := e.do("POST", "/api/v1/auth/2fa/disable", tok, map[string]string{"password": "wrong password", "code": code()}, from(attacker)...)
		wrongCode := e.do("POST", "/api/v1/auth/2fa/disable", tok, map[string]string{"password": testPassword, "code": "000000"}, from(attacker)...)
		assertErrorShape(t, wrongPassword, 422, "validation_failed")
		assertErrorShape(t, wrongCode, 422, "validation_failed")
		if wrongPassword.errs()[0]["detail"] != wrongCode.errs()[0]["detail"] || len(wrongPassword.errs()) != len(wrongCode.errs()) {
			t.Errorf("a wrong password and a wrong code answer differently:\n%s\n%s", wrongPassword.Raw, wrongCode.Raw)
		}
		for range 3 {
			assertErrorShape(t, e.do("POST", "/api/v1/auth/2fa/backup-codes", tok, map[string]string{"code": "000000"}, from(attacker)...), 422, "validation_failed")
		}
		// Five failures across the routes: every second-factor route is closed to that address.
		for _, r := range []*response{
			e.do("POST", "/api/v1/auth/2fa/backup-codes", tok, map[string]string{"code": code()}, from(attacker)...),
			e.do("POST", "/api/v1/auth/2fa/disable", tok, map[string]string{"password": testPassword, "code": code()}, from(attacker)...),
		} {
			assertErrorShape(t, r, 429, "too_many_requests")
			if r.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		}
		mfaToken := e.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": "cat@acme.example", "password": testPassword}, from(attacker)...).data()["mfa_token"].(string)
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": mfaToken, "code": code()}, from(attacker)...), 429, "too_many_requests")
		// The owner, elsewhere, is not locked out.
		e.must(200, "POST", "/api/v1/auth/2fa/backup-codes", tok, map[string]string{"code": code()}, from(owner)...)

		acts := e.must(200, "GET", "/api/v1/activity?action=user.mfa_failed", e.admin, nil)
		if n := acts.Body["meta"].(map[string]any)["total"].(float64); n != 5 {
			t.Errorf("%v failed second factors in the activity trail, want 5", n)
		}
	})
}

func TestAuth_MFATokenIsSingleUse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		code := enableTOTP(t, e, e.createUser("cat@acme.example", "member", orgID))
		mfaToken := e.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": "cat@acme.example", "password": testPassword}).data()["mfa_token"].(string)
		// A wrong code does not spend it.
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": mfaToken, "code": "000000"}), 422, "validation_failed")
		e.must(200, "POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": mfaToken, "code": code()})
		// Replayed with the next valid code, it is refused.
		e.clock.Advance(time.Minute)
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": mfaToken, "code": code()}), 401, "unauthorized")
	})
}

func itoa2(i int) string { return string(rune('a'+i/26)) + string(rune('a'+i%26)) }

func TestAuth_OwnEmailChangeNeedsPassword(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		tok := e.createUser("dan@acme.example", "org_admin", orgID)
		me := "/api/v1/users/" + e.must(200, "GET", "/api/v1/auth/me", tok, nil).data()["id"].(string)

		r := e.do("PATCH", me, tok, map[string]any{"email": "mallory@evil.example"})
		assertErrorShape(t, r, 422, "validation_failed")
		if src, _ := r.errs()[0]["source"].(map[string]any); src["pointer"] != "/current_password" {
			t.Errorf("missing current_password: %s", r.Raw)
		}
		r = e.do("PATCH", me, tok, map[string]any{"email": "mallory@evil.example", "current_password": "not the password"})
		assertErrorShape(t, r, 422, "validation_failed")
		if got := e.must(200, "GET", me, tok, nil).data()["email"]; got != "dan@acme.example" {
			t.Fatalf("e-mail changed to %v without the password", got)
		}
		// Other fields need no password; nor does an admin changing someone else.
		e.must(200, "PATCH", me, tok, map[string]any{"name": "Dan", "email": "DAN@acme.example"})
		other := e.must(201, "POST", "/api/v1/users", tok, map[string]any{"name": "Eve", "email": "eve@acme.example", "password": testPassword, "role": "member"}).data()["id"].(string)
		e.must(200, "PATCH", "/api/v1/users/"+other, tok, map[string]any{"email": "eve2@acme.example"})
		// With the password, it changes.
		e.must(200, "PATCH", me, tok, map[string]any{"email": "dan.new@acme.example", "current_password": testPassword})
		e.login("dan.new@acme.example", testPassword)

		// Look-alike addresses are refused wherever an e-mail is taken.
		for _, c := range []struct{ method, path string }{{"POST", "/api/v1/users"}, {"PATCH", "/api/v1/users/" + other}} {
			r := e.do(c.method, c.path, e.admin, map[string]any{"name": "X", "email": "dan.new\u200b@acme.example", "password": testPassword, "role": "member", "organization_id": orgID})
			assertErrorShape(t, r, 422, "validation_failed")
			if !strings.Contains(r.Raw, "invisible") {
				t.Errorf("%s %s with a zero-width space: %s", c.method, c.path, r.Raw)
			}
		}
	})
}
