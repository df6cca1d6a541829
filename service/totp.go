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
	if ok, err := s.checkTOTP(ctx, u, code); err != nil || !ok {
		return nil, orBadCode(err)
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
	ok, err := s.Passwords.Check(ctx, u.HashedPassword, password)
	if err != nil {
		return err
	}
	if !ok {
		return &fleetwatch.Error{Code: fleetwatch.EINVALID, Message: "password is wrong",
			Fields: []fleetwatch.FieldError{{Pointer: "/password", Message: "password is wrong"}}}
	}
	if ok, err := s.checkSecondFactor(ctx, u, code); err != nil || !ok {
		return orBadCode(err)
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
	if ok, err := s.checkTOTP(ctx, u, code); err != nil || !ok {
		return nil, orBadCode(err)
	}
	codes, err := s.newBackupCodes(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	s.Activity.Record(ctx, "user.backup_codes_regenerated", "user", u.UUID, u.OrganizationID, nil)
	return codes, nil
}

// CompleteMFA finishes a login with the token from Login and a TOTP or unused
// backup code.
func (s *Auth) CompleteMFA(ctx context.Context, mfaToken, code, remoteAddr, userAgent string) (*LoginAnswer, error) {
	c, ok := s.verify(s.mfaKey, audienceMFA, mfaToken)
	if !ok {
		return nil, fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The MFA token is invalid or has expired; sign in again.")
	}
	accountKey := "mfa:" + c.Subject
	if err := s.checkLimits(accountKey, remoteAddr); err != nil {
		return nil, err
	}
	u, err := s.Store.FindUserByUUID(ctx, c.Subject)
	if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND || (err == nil && (!u.IsActive || !u.TOTPEnabled)) {
		return nil, fleetwatch.Errorf(fleetwatch.EUNAUTHORIZED, "The MFA token is invalid or has expired; sign in again.")
	} else if err != nil {
		return nil, err
	}
	ok, err = s.checkSecondFactor(ctx, u, code)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.fail(accountKey, remoteAddr)
		s.Activity.RecordFor(ctx, u.ID, u.OrganizationID, remoteAddr, "user.mfa_failed", nil)
		return nil, errBadCode
	}
	s.PerAccount.Reset(accountKey)
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

func orBadCode(err error) error {
	if err != nil {
		return err
	}
	return errBadCode
}
