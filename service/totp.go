package service

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters (RFC 6238): 30-second steps, 6 digits, SHA-1, one step of
// clock drift either way.
const (
	totpPeriod      = 30
	totpSkew        = 1
	backupCodeCount = 10
)

// TOTPSetup is what 2FA enrolment shows the user.
type TOTPSetup struct {
	Secret     string `json:"secret" doc:"Base32 secret, for manual entry"`
	OTPAuthURI string `json:"otpauth_uri"`
	QRPNG      string `json:"qr_png" doc:"The otpauth URI as a QR code: a base64 PNG"`
}

// BackupCodes are shown once, when generated.
type BackupCodes struct {
	BackupCodes []string `json:"backup_codes"`
}

var errBadCode = &fleetwatch.Error{Code: fleetwatch.EINVALID, Message: "code is wrong or already used",
	Fields: []fleetwatch.FieldError{{Pointer: "/code", Message: "code is wrong or already used"}}}

// errBadPasswordOrCode answers a wrong password and a wrong code alike, so
// that the answer does not tell which was right.
var errBadPasswordOrCode = &fleetwatch.Error{Code: fleetwatch.EINVALID, Message: "password or code is wrong",
	Fields: []fleetwatch.FieldError{{Pointer: "/password", Message: "password or code is wrong"}, {Pointer: "/code", Message: "password or code is wrong"}}}

// secondFactorAccount is the key every check of a user's second factor is
// limited by (see Limits): sign-in, enabling, disabling and regenerating
// backup codes share one budget of guesses.
func secondFactorAccount(u *fleetwatch.User) string { return "2fa:" + u.UUID }

// checkOwnSecondFactor checks a signed-in user's code (and password, when
// withPassword), within the limits of guesses; a failure is recorded in
// the activity trail as what.
func (s *Auth) checkOwnSecondFactor(ctx context.Context, u *fleetwatch.User, what string, withPassword bool, password, code string,
	check func(context.Context, *fleetwatch.User, string) (bool, error)) error {
	a := fleetwatch.ActorFromContext(ctx)
	att, err := s.begin(secondFactorAccount(u), a.RemoteAddr)
	if err != nil {
		return err
	}
	ok := true
	if withPassword {
		ok, err = s.Passwords.Check(ctx, u.HashedPassword, password)
	}
	if err == nil && ok {
		ok, err = check(ctx, u, code)
	}
	att.end(ok, err)
	if err != nil {
		return err
	}
	if !ok {
		s.Activity.Record(ctx, "user.mfa_failed", "user", u.UUID, u.OrganizationID, map[string]any{"action": what})
		if withPassword {
			return errBadPasswordOrCode
		}
		return errBadCode
	}
	return nil
}

// SetupTOTP generates a new secret for the caller and keeps it, encrypted,
// until EnableTOTP confirms a code from it. 2FA stays as it was until then.
func (s *Auth) SetupTOTP(ctx context.Context) (*TOTPSetup, error) {
	u, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, fleetwatch.Errorf(fleetwatch.ECONFLICT, "Two-factor authentication is already on; disable it first.")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Fleetwatch", AccountName: u.Email, Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, fmt.Errorf("generate totp key: %w", err)
	}
	sealed, err := s.totp.seal(key.Secret())
	if err != nil {
		return nil, err
	}
	if err := s.Store.SetTOTP(ctx, u.ID, sealed, false); err != nil {
		return nil, err
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return nil, fmt.Errorf("qr code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encode qr png: %w", err)
	}
	return &TOTPSetup{Secret: key.Secret(), OTPAuthURI: key.URL(), QRPNG: base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// EnableTOTP turns 2FA on once the user proves their authenticator works,
// and returns 10 backup codes, shown this once.
func (s *Auth) EnableTOTP(ctx context.Context, code string) (*BackupCodes, error) {
	u, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, fleetwatch.Errorf(fleetwatch.ECONFLICT, "Two-factor authentication is already on.")
	}
	if u.TOTPSecret == "" {
		return nil, fleetwatch.Errorf(fleetwatch.ECONFLICT, "Start with POST /api/v1/auth/2fa/setup.")
	}
	if err := s.checkOwnSecondFactor(ctx, u, "enable", false, "", code, s.checkTOTP); err != nil {
		return nil, err
	}
	if err := s.Store.SetTOTP(ctx, u.ID, u.TOTPSecret, true); err != nil {
		return nil, err
	}
	codes, err := s.newBackupCodes(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "user.2fa_enabled", "user", u.UUID, u.OrganizationID, nil)
	return codes, nil
}

// DisableTOTP turns 2FA off; it needs the password and a current code.
func (s *Auth) DisableTOTP(ctx context.Context, password, code string) error {
	u, err := s.Me(ctx)
	if err != nil {
		return err
	}
	if !u.TOTPEnabled {
		return fleetwatch.Errorf(fleetwatch.ECONFLICT, "Two-factor authentication is not on.")
	}
	if err := s.checkOwnSecondFactor(ctx, u, "disable", true, password, code, s.checkSecondFactor); err != nil {
		return err
	}
	if err := s.Store.SetTOTP(ctx, u.ID, "", false); err != nil {
		return err
	}
	s.Activity.Record(ctx, "user.2fa_disabled", "user", u.UUID, u.OrganizationID, nil)
	return nil
}

// RegenerateBackupCodes replaces the backup codes after a valid TOTP code;
// the old ones die.
func (s *Auth) RegenerateBackupCodes(ctx context.Context, code string) (*BackupCodes, error) {
	u, err := s.Me(ctx)
	if err != nil {
		return nil, err
	}
	if !u.TOTPEnabled {
		return nil, fleetwatch.Errorf(fleetwatch.ECONFLICT, "Two-factor authentication is not on.")
	}
	if err := s.checkOwnSecondFactor(ctx, u, "backup_codes", false, "", code, s.checkTOTP); err != nil {
		return nil, err
	}
	codes, err := s.newBackupCodes(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "user.backup_codes_regenerated", "user", u.UUID, u.OrganizationID, nil)
	return codes, nil
}

var errBadMFAToken = fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The MFA token is invalid, expired or already used; sign in again.")

// CompleteMFA finishes a login with the token from Login and a TOTP or unused
// backup code.
func (s *Auth) CompleteMFA(ctx context.Context, mfaToken, code, remoteAddr, userAgent string) (*LoginAnswer, error) {
	c, ok := s.verify(s.mfaKey, audienceMFA, mfaToken)
	if !ok || c.ID == "" {
		return nil, errBadMFAToken
	}
	u, err := s.Store.FindUserByUUID(ctx, c.Subject)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && (!u.IsActive || !u.TOTPEnabled)) {
		return nil, errBadMFAToken
	} else if err != nil {
		return nil, err
	}
	att, err := s.begin(secondFactorAccount(u), remoteAddr)
	if err != nil {
		return nil, err
	}
	ok, err = s.checkSecondFactor(ctx, u, code)
	ok = ok && maySignIn(u)
	att.end(ok, err)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.Activity.RecordFor(ctx, u.ID, u.OrganizationID, remoteAddr, "user.mfa_failed", map[string]any{"action": "sign_in"})
		return nil, errBadCode
	}
	// The token is spent once it opened a session (a wrong code does not
	// spend it, so that a typo does not mean typing the password again;
	// the guesses are limited above).
	if used, err := s.Store.UseToken(ctx, c.ID, c.ExpiresAt.Time); err != nil {
		return nil, err
	} else if !used {
		return nil, errBadMFAToken
	}
	return s.startSession(ctx, u, remoteAddr, userAgent, "password+2fa")
}

// checkSecondFactor accepts a TOTP code or an unused backup code.
func (s *Auth) checkSecondFactor(ctx context.Context, u *fleetwatch.User, code string) (bool, error) {
	code = strings.TrimSpace(code)
	if len(code) == 6 {
		return s.checkTOTP(ctx, u, code)
	}
	norm := normalizeBackupCode(code)
	if len(norm) != 10 {
		return false, nil
	}
	return s.Store.UseBackupCode(ctx, u.ID, s.hashBackupCode(norm), s.now())
}

// checkTOTP validates a 6-digit code within one step of now, and claims its
// step so that the same code cannot be replayed.
func (s *Auth) checkTOTP(ctx context.Context, u *fleetwatch.User, code string) (bool, error) {
	code = strings.TrimSpace(code)
	if len(code) != 6 || u.TOTPSecret == "" {
		return false, nil
	}
	secret, err := s.totp.open(u.TOTPSecret)
	if err != nil {
		return false, fmt.Errorf("open totp secret of user %d: %w", u.ID, err)
	}
	now := s.now()
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix((step+d)*totpPeriod, 0), totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err != nil {
			return false, fmt.Errorf("totp code: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s.Store.ClaimTOTPStep(ctx, u.ID, step+d)
		}
	}
	return false, nil
}

const backupAlphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i

func (s *Auth) newBackupCodes(ctx context.Context, userID int64) (*BackupCodes, error) {
	out := &BackupCodes{}
	var hashes []string
	for range backupCodeCount {
		code, err := randomCode(10)
		if err != nil {
			return nil, err
		}
		out.BackupCodes = append(out.BackupCodes, code[:5]+"-"+code[5:])
		hashes = append(hashes, s.hashBackupCode(code))
	}
	if err := s.Store.ReplaceBackupCodes(ctx, userID, hashes); err != nil {
		return nil, err
	}
	return out, nil
}

// randomCode returns n characters drawn uniformly from backupAlphabet
// (rejection sampling keeps the modulo from favouring some characters).
func randomCode(n int) (string, error) {
	limit := byte(256 - 256%len(backupAlphabet))
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("backup code: %w", err)
		}
		for _, b := range buf {
			if b < limit && len(out) < n {
				out = append(out, backupAlphabet[int(b)%len(backupAlphabet)])
			}
		}
	}
	return string(out), nil
}

func normalizeBackupCode(code string) string {
	return strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(code))
}

// hashBackupCode is keyed with the server secret: a stolen database alone
// does not let anyone test the ~50-bit codes offline.
func (s *Auth) hashBackupCode(code string) string {
	m := hmac.New(sha256.New, s.codeKey)
	m.Write([]byte(code))
	return hex.EncodeToString(m.Sum(nil))
}
