package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func TestAuth_Tokens(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		tok := e.createUser("ann@acme.example", "member", orgID)
		e.must(200, "GET", "/api/v1/auth/me", tok, nil)
		parts := strings.Split(tok, ".")

		t.Run("tampered signature", func(t *testing.T) {
			sig := []byte(parts[2])
			sig[3] ^= 1
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", parts[0]+"."+parts[1]+"."+string(sig), nil), 401, "unauthorized")
		})
		t.Run("tampered claims", func(t *testing.T) {
			claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
			forged := strings.Replace(string(claims), `"exp":`, `"exp":9`, 1)
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", parts[0]+"."+base64.RawURLEncoding.EncodeToString([]byte(forged))+"."+parts[2], nil), 401, "unauthorized")
		})
		t.Run("alg none", func(t *testing.T) {
			claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var c jwt.MapClaims
			if err := json.Unmarshal(claims, &c); err != nil {
				t.Fatal(err)
			}
			none, err := jwt.NewWithClaims(jwt.SigningMethodNone, c).SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", none, nil), 401, "unauthorized")
		})
		t.Run("wrong key", func(t *testing.T) {
			claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
			var c jwt.MapClaims
			_ = json.Unmarshal(claims, &c)
			forged, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString([]byte("not the server's key"))
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", forged, nil), 401, "unauthorized")
		})
		t.Run("expired", func(t *testing.T) {
			tok := e.login("ann@acme.example", testPassword)
			e.clock.Advance(16 * time.Minute)
			defer e.clock.Advance(-16 * time.Minute)
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized")
		})
		t.Run("logout kills access and refresh", func(t *testing.T) {
			tok := e.login("ann@acme.example", testPassword)
			refresh := e.lastRefresh
			e.must(204, "POST", "/api/v1/auth/logout", tok, nil)
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized")
			assertErrorShape(t, e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}), 401, "unauthorized")
			// Other sessions live on.
			e.must(200, "GET", "/api/v1/auth/me", e.admin, nil)
		})
		t.Run("refresh rotates and reuse revokes the family", func(t *testing.T) {
			e.login("ann@acme.example", testPassword)
			r1 := e.lastRefresh
			a := e.must(200, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r1}).data()
			r2, access2 := a["refresh_token"].(string), a["access_token"].(string)
			if r2 == "" || r2 == r1 {
				t.Fatalf("refresh did not rotate: %v", a)
			}
			e.must(200, "GET", "/api/v1/auth/me", access2, nil)
			// A thief replays the old token: the whole family dies.
			assertErrorShape(t, e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r1}), 401, "unauthorized")
			assertErrorShape(t, e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": r2}), 401, "unauthorized")
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", access2, nil), 401, "unauthorized")
		})
		t.Run("deactivated user", func(t *testing.T) {
			tok := e.login("ann@acme.example", testPassword)
			refresh := e.lastRefresh
			me := e.must(200, "GET", "/api/v1/auth/me", tok, nil).data()
			e.must(200, "PATCH", "/api/v1/users/"+me["id"].(string), e.admin, map[string]any{"is_active": false})
			assertErrorShape(t, e.do("GET", "/api/v1/auth/me", tok, nil), 401, "unauthorized")
			assertErrorShape(t, e.do("POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": refresh}), 401, "unauthorized")
			assertErrorShape(t, e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "ann@acme.example", "password": testPassword}), 401, "unauthorized")
		})
	})
}

func TestAuth_PasswordChangeEndsOtherSessions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		first := e.createUser("bob@acme.example", "viewer", orgID)
		second := e.login("bob@acme.example", testPassword)
		assertErrorShape(t, e.do("PUT", "/api/v1/auth/password", second, map[string]string{"current_password": "wrong one!", "new_password": "a new password"}), 422, "validation_failed")
		e.must(204, "PUT", "/api/v1/auth/password", second, map[string]string{"current_password": testPassword, "new_password": "a new password"})
		e.must(200, "GET", "/api/v1/auth/me", second, nil)
		assertErrorShape(t, e.do("GET", "/api/v1/auth/me", first, nil), 401, "unauthorized")
		assertErrorShape(t, e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "bob@acme.example", "password": testPassword}), 401, "unauthorized")
		e.login("bob@acme.example", "a new password")
	})
}

func TestAuth_TwoFactor(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		tok := e.createUser("cat@acme.example", "member", orgID)
		setup := e.must(200, "POST", "/api/v1/auth/2fa/setup", tok, nil).data()
		secret := setup["secret"].(string)
		if !strings.HasPrefix(setup["otpauth_uri"].(string), "otpauth://totp/Fleetwatch:cat@acme.example?") {
			t.Errorf("otpauth uri %v", setup["otpauth_uri"])
		}
		png, err := base64.StdEncoding.DecodeString(setup["qr_png"].(string))
		if err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
			t.Errorf("qr_png is not a PNG")
		}
		code := func() string {
			c, err := totp.GenerateCodeCustom(secret, e.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		assertErrorShape(t, e.do("POST", "/api/v1/auth/2fa/enable", tok, map[string]string{"code": "000000"}), 422, "validation_failed")
		codes := e.must(200, "POST", "/api/v1/auth/2fa/enable", tok, map[string]string{"code": code()}).data()["backup_codes"].([]any)
		if len(codes) != 10 {
			t.Fatalf("%d backup codes", len(codes))
		}
		e.must(204, "POST", "/api/v1/auth/logout", tok, nil)

		// Sign in: password, then a TOTP code.
		login := func() string {
			d := e.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": "cat@acme.example", "password": testPassword}).data()
			if d["mfa_required"] != true || d["access_token"] != nil {
				t.Fatalf("login with 2FA answered %v", d)
			}
			return d["mfa_token"].(string)
		}
		e.clock.Advance(time.Minute) // the enabling code's step is spent
		c := code()
		tok = e.must(200, "POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": login(), "code": c}).data()["access_token"].(string)
		e.must(200, "GET", "/api/v1/auth/me", tok, nil)
		// The same code cannot be replayed within its window.
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": login(), "code": c}), 422, "validation_failed")
		// A code from outside ±1 step is refused.
		e.clock.Advance(2 * time.Minute)
		old, _ := totp.GenerateCodeCustom(secret, e.clock.Now().Add(-90*time.Second), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": login(), "code": old}), 422, "validation_failed")

		// A backup code works once.
		backup := codes[3].(string)
		e.must(200, "POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": login(), "code": backup})
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": login(), "code": backup}), 422, "validation_failed")

		// An expired MFA token is refused.
		mt := login()
		e.clock.Advance(6 * time.Minute)
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": mt, "code": code()}), 401, "unauthorized")

		// Regenerating kills the old backup codes.
		e.clock.Advance(time.Minute)
		fresh := e.must(200, "POST", "/api/v1/auth/2fa/backup-codes", tok, map[string]string{"code": code()}).data()["backup_codes"].([]any)
		assertErrorShape(t, e.do("POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": login(), "code": codes[5].(string)}), 422, "validation_failed")
		e.must(200, "POST", "/api/v1/auth/mfa", "", map[string]string{"mfa_token": login(), "code": fresh[0].(string)})

		// Disabling needs the password and a code.
		e.clock.Advance(time.Minute)
		assertErrorShape(t, e.do("POST", "/api/v1/auth/2fa/disable", tok, map[string]string{"password": "wrong password", "code": code()}), 422, "validation_failed")
		e.clock.Advance(time.Minute)
		e.must(204, "POST", "/api/v1/auth/2fa/disable", tok, map[string]string{"password": testPassword, "code": code()})
		if d := e.must(200, "POST", "/api/v1/auth/login", "", map[string]string{"email": "cat@acme.example", "password": testPassword}).data(); d["access_token"] == nil {
			t.Errorf("login after disabling 2FA: %v", d)
		}
	})
}

func TestAuth_LoginRateLimit(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		bad := map[string]string{"email": "root@example.com", "password": "not the password"}
		unknown := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "nobody@example.com", "password": "whatever1"})
		wrong := e.do("POST", "/api/v1/auth/login", "", bad)
		if unknown.errs()[0]["detail"] != wrong.errs()[0]["detail"] || unknown.Status != wrong.Status {
			t.Errorf("unknown e-mail and wrong password answer differently:\n%s\n%s", unknown.Raw, wrong.Raw)
		}
		for range 4 { // five failures in all: the limit per account
			e.do("POST", "/api/v1/auth/login", "", bad)
		}
		r := e.do("POST", "/api/v1/auth/login", "", bad)
		assertErrorShape(t, r, 429, "too_many_requests")
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		// Even the right password waits: the account is limited, not the guess.
		assertErrorShape(t, e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "root@example.com", "password": testPassword}), 429, "too_many_requests")
		// The lockout is short.
		e.clock.Advance(6 * time.Minute)
		e.login("root@example.com", testPassword)
		acts := e.must(200, "GET", "/api/v1/activity?action=user.login_failed", e.admin, nil)
		if n := acts.Body["meta"].(map[string]any)["total"].(float64); n < 5 {
			t.Errorf("%v failed logins in the activity trail, want at least 5", n)
		}
		if !strings.Contains(acts.Raw, `"remote_addr":"127.0.0.1"`) {
			t.Errorf("activity lacks the client address: %.300s", acts.Raw)
		}
	})
}

func TestAuth_APIKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		site := e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": "https://a.example", "name": "A", "organization_id": orgID}).data()["id"].(string)
		member := e.createUser("dev@acme.example", "member", orgID)

		created := e.must(201, "POST", "/api/v1/sites/"+site+"/api-keys", member, map[string]any{"name": "web01"}).data()
		key := created["key"].(string)
		if !strings.HasPrefix(key, "fwk_") || len(key) < 40 || created["site_id"] != site {
			t.Fatalf("site key %v", created)
		}
		list := e.must(200, "GET", "/api/v1/sites/"+site+"/api-keys", member, nil)
		if strings.Contains(list.Raw, key) || strings.Contains(list.Raw, "hash") {
			t.Errorf("key listing shows the secret: %s", list.Raw)
		}
		// A site key opens no route but the ingest routes, in either header.
		assertErrorShape(t, e.do("GET", "/api/v1/sites", key, nil), 403, "forbidden")
		assertErrorShape(t, e.do("GET", "/api/v1/sites", "", nil, "X-API-Key", key), 403, "forbidden")

		// Integration keys act for their organization, never above member.
		read := e.must(201, "POST", "/api/v1/organizations/"+orgID+"/api-keys", e.admin, map[string]any{"name": "grafana", "scope": "read"}).data()["key"].(string)
		write := e.must(201, "POST", "/api/v1/organizations/"+orgID+"/api-keys", e.admin, map[string]any{"name": "ci", "scope": "write"}).data()["key"].(string)
		if !strings.HasPrefix(read, "fwi_") {
			t.Fatalf("integration key %q", read)
		}
		if n := e.do("GET", "/api/v1/sites", "", nil, "X-API-Key", read).Body["meta"].(map[string]any)["total"]; n != 1.0 {
			t.Errorf("read key sees %v sites", n)
		}
		assertErrorShape(t, e.do("POST", "/api/v1/sites", read, map[string]any{"url": "https://b.example", "name": "B"}), 403, "forbidden")
		e.must(201, "POST", "/api/v1/sites", write, map[string]any{"url": "https://b.example", "name": "B"})
		assertErrorShape(t, e.do("DELETE", "/api/v1/sites/"+site, write, nil), 403, "forbidden")
		assertErrorShape(t, e.do("GET", "/api/v1/users", write, nil), 403, "forbidden")

		// Revoked keys stop working at once.
		keyID := created["id"].(string)
		e.must(204, "DELETE", "/api/v1/sites/"+site+"/api-keys/"+keyID, member, nil)
		assertErrorShape(t, e.do("GET", "/api/v1/sites", key, nil), 401, "unauthorized")
		assertErrorShape(t, e.do("DELETE", "/api/v1/sites/"+site+"/api-keys/"+keyID, member, nil), 404, "not_found")
		assertErrorShape(t, e.do("GET", "/api/v1/sites", "fwi_made_up_key_of_reasonable_length_0000000000", nil), 401, "unauthorized")

		// The activity trail has the key's life.
		acts := e.must(200, "GET", "/api/v1/activity?organization_id="+orgID, e.admin, nil).Raw
		for _, a := range []string{"api_key.created", "api_key.revoked"} {
			if !strings.Contains(acts, a) {
				t.Errorf("activity lacks %s", a)
			}
		}
	})
}
