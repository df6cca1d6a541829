package service_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/service/servicetest"
	"github.com/pquerna/otp/totp"
)

// authFixture is the auth service on the in-memory store, with a clock the
// test moves and one signed-up member.
type authFixture struct {
	store *servicetest.Store
	auth  *service.Auth
	now   time.Time
	user  *fleetwatch.User
}

const authPassword = "correct horse battery"

func newAuthFixture(t *testing.T) *authFixture {
	t.Helper()
	f := &authFixture{store: servicetest.NewStore(), now: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)}
	f.store.Now = func() time.Time { return f.now }
	passwords, err := service.NewPasswords(4, 2)
	if err != nil {
		t.Fatal(err)
	}
	activity := &service.Activity{Store: f.store, Logger: slog.New(slog.DiscardHandler)}
	if f.auth, err = service.NewAuth(f.store, passwords, activity, []byte("test-secret-key-test-secret-key-0123456789")); err != nil {
		t.Fatal(err)
	}
	f.auth.Now = func() time.Time { return f.now }
	ctx := context.Background()
	org := &fleetwatch.Organization{Name: "Acme", IsActive: true}
	if err := f.store.CreateOrganization(ctx, org, 0); err != nil {
		t.Fatal(err)
	}
	if f.user, err = f.auth.CreateUserFromShell(ctx, "Ann", "ann@acme.example", authPassword, fleetwatch.RoleMember, org.UUID); err != nil {
		t.Fatal(err)
	}
	return f
}

// signedIn returns a context with the actor of a fresh password sign-in.
func (f *authFixture) signedIn(t *testing.T) (context.Context, *service.LoginAnswer) {
	t.Helper()
	ans, err := f.auth.Login(context.Background(), "ANN@acme.example", authPassword, "192.0.2.1", "test")
	if err != nil || ans.AccessToken == "" {
		t.Fatalf("Login = %+v, %v", ans, err)
	}
	a, err := f.auth.Authenticate(context.Background(), ans.AccessToken, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	return fleetwatch.NewContextWithActor(context.Background(), a), ans
}

func (f *authFixture) code(t *testing.T, secret string) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, f.now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAuth_Login(t *testing.T) {
	t.Parallel()
	t.Run("OK", func(t *testing.T) {
		f := newAuthFixture(t)
		ctx, _ := f.signedIn(t)
		me, err := f.auth.Me(ctx)
		if err != nil || me.UUID != f.user.UUID || me.LastLogin == nil || !me.LastLogin.Equal(f.now) {
			t.Errorf("Me = %+v, %v", me, err)
		}
	})
	t.Run("ErrWrongPassword", func(t *testing.T) {
		f := newAuthFixture(t)
		_, err := f.auth.Login(context.Background(), "ann@acme.example", "not the password", "192.0.2.1", "test")
		if fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("wrong password: %v", err)
		}
		logs, _, _ := f.store.FindActivity(context.Background(), fleetwatch.ActivityFilter{Action: "user.login_failed"})
		if len(logs) != 1 || logs[0].UserID != f.user.ID {
			t.Errorf("activity %+v", logs)
		}
	})
	t.Run("ErrInactive", func(t *testing.T) {
		f := newAuthFixture(t)
		off := false
		if _, err := f.store.UpdateUser(context.Background(), f.user.ID, fleetwatch.UserUpdate{IsActive: &off}, 0); err != nil {
			t.Fatal(err)
		}
		_, err := f.auth.Login(context.Background(), "ann@acme.example", authPassword, "192.0.2.1", "test")
		if fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("inactive user: %v", err)
		}
	})
}

func TestAuth_Sessions(t *testing.T) {
	t.Parallel()
	t.Run("RefreshRotates", func(t *testing.T) {
		f := newAuthFixture(t)
		_, first := f.signedIn(t)
		next, err := f.auth.Refresh(context.Background(), first.RefreshToken, "192.0.2.1")
		if err != nil || next.RefreshToken == first.RefreshToken {
			t.Fatalf("Refresh = %+v, %v", next, err)
		}
		// The traded token again: one holder is a thief, the session ends.
		if _, err := f.auth.Refresh(context.Background(), first.RefreshToken, "192.0.2.1"); fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("reused refresh token: %v", err)
		}
		if _, err := f.auth.Authenticate(context.Background(), next.AccessToken, ""); fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("access token of the revoked session: %v", err)
		}
		if _, err := f.auth.Refresh(context.Background(), next.RefreshToken, "192.0.2.1"); fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("refresh token of the revoked session: %v", err)
		}
	})
	t.Run("LogoutEndsTheSession", func(t *testing.T) {
		f := newAuthFixture(t)
		ctx, ans := f.signedIn(t)
		if err := f.auth.Logout(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.Authenticate(context.Background(), ans.AccessToken, ""); fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("access token after logout: %v", err)
		}
	})
	t.Run("PasswordChangeEndsOtherSessions", func(t *testing.T) {
		f := newAuthFixture(t)
		ctx, mine := f.signedIn(t)
		_, other := f.signedIn(t)
		if err := f.auth.ChangePassword(ctx, authPassword, "a new long password"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.auth.Authenticate(context.Background(), mine.AccessToken, ""); err != nil {
			t.Errorf("the changing session: %v", err)
		}
		if _, err := f.auth.Authenticate(context.Background(), other.AccessToken, ""); fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("another session: %v", err)
		}
		if _, err := f.auth.Login(context.Background(), "ann@acme.example", "a new long password", "192.0.2.1", "test"); err != nil {
			t.Errorf("login with the new password: %v", err)
		}
	})
	t.Run("ErrWrongCurrentPassword", func(t *testing.T) {
		f := newAuthFixture(t)
		ctx, _ := f.signedIn(t)
		err := f.auth.ChangePassword(ctx, "not the password", "a new long password")
		if fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Errorf("wrong current password: %v", err)
		}
	})
}

func TestAuth_TOTP(t *testing.T) {
	t.Parallel()
	// enabled returns a fixture whose user turned 2FA on, its secret and
	// backup codes.
	enabled := func(t *testing.T) (*authFixture, context.Context, string, []string) {
		t.Helper()
		f := newAuthFixture(t)
		ctx, _ := f.signedIn(t)
		setup, err := f.auth.SetupTOTP(ctx)
		if err != nil {
			t.Fatal(err)
		}
		codes, err := f.auth.EnableTOTP(ctx, f.code(t, setup.Secret))
		if err != nil || len(codes.BackupCodes) != 10 {
			t.Fatalf("EnableTOTP = %+v, %v", codes, err)
		}
		f.now = f.now.Add(time.Minute) // past the enabling code's step
		return f, ctx, setup.Secret, codes.BackupCodes
	}
	mfaToken := func(t *testing.T, f *authFixture) string {
		t.Helper()
		ans, err := f.auth.Login(context.Background(), "ann@acme.example", authPassword, "192.0.2.1", "test")
		if err != nil || !ans.MFARequired || ans.AccessToken != "" {
			t.Fatalf("Login with 2FA = %+v, %v", ans, err)
		}
		return ans.MFAToken
	}
	t.Run("SignInWithCode", func(t *testing.T) {
		f, _, secret, _ := enabled(t)
		tok := mfaToken(t, f)
		code := f.code(t, secret)
		ans, err := f.auth.CompleteMFA(context.Background(), tok, code, "192.0.2.1", "test")
		if err != nil || ans.AccessToken == "" {
			t.Fatalf("CompleteMFA = %+v, %v", ans, err)
		}
		// The same code is not accepted twice, nor the spent token.
		if _, err := f.auth.CompleteMFA(context.Background(), mfaToken(t, f), code, "192.0.2.1", "test"); fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Errorf("replayed code: %v", err)
		}
		f.now = f.now.Add(time.Minute)
		if _, err := f.auth.CompleteMFA(context.Background(), tok, f.code(t, secret), "192.0.2.1", "test"); fleetwatch.ErrorCode(err) != fleetwatch.EUNAUTHORIZED {
			t.Errorf("spent mfa token: %v", err)
		}
	})
	t.Run("BackupCodeOnce", func(t *testing.T) {
		f, _, _, backup := enabled(t)
		if _, err := f.auth.CompleteMFA(context.Background(), mfaToken(t, f), backup[0], "192.0.2.1", "test"); err != nil {
			t.Fatalf("backup code: %v", err)
		}
		if _, err := f.auth.CompleteMFA(context.Background(), mfaToken(t, f), backup[0], "192.0.2.1", "test"); fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Errorf("backup code used twice: %v", err)
		}
		if n := f.store.UnusedBackupCodes(f.user.ID); n != 9 {
			t.Errorf("%d backup codes left, want 9", n)
		}
	})
	t.Run("ErrWrongCode", func(t *testing.T) {
		f, _, _, _ := enabled(t)
		if _, err := f.auth.CompleteMFA(context.Background(), mfaToken(t, f), "000000", "192.0.2.1", "test"); fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Errorf("wrong code: %v", err)
		}
	})
	t.Run("DisableNeedsPasswordAndCode", func(t *testing.T) {
		f, ctx, secret, _ := enabled(t)
		if err := f.auth.DisableTOTP(ctx, "not the password", f.code(t, secret)); fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Errorf("disable with a wrong password: %v", err)
		}
		if err := f.auth.DisableTOTP(ctx, authPassword, f.code(t, secret)); err != nil {
			t.Fatal(err)
		}
		ans, err := f.auth.Login(context.Background(), "ann@acme.example", authPassword, "192.0.2.1", "test")
		if err != nil || ans.MFARequired {
			t.Errorf("login after disabling = %+v, %v", ans, err)
		}
		if n := f.store.UnusedBackupCodes(f.user.ID); n != 0 {
			t.Errorf("%d backup codes left after disabling, want none", n)
		}
	})
}
