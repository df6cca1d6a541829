package service

import (
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fleetwatch/fleetwatch"
)

// Field length limits.
const (
	MaxNameLength        = 200
	MaxEmailLength       = 254
	MaxURLLength         = 2048
	MaxDescriptionLength = 4000
	MaxTaxIDLength       = 64
	MinPasswordLength    = 8
	MaxPasswordLength    = 72 // bcrypt ignores what lies beyond 72 bytes
)

// checkText validates a required or optional single-line text field and returns it trimmed.
func checkText(v *fleetwatch.Validation, pointer, label, s string, required bool, max int) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		v.Add(pointer, "%s must not be blank", label)
	case utf8.RuneCountInString(s) > max:
		v.Add(pointer, "%s must be at most %d characters", label, max)
	case !utf8.ValidString(s):
		v.Add(pointer, "%s must be valid UTF-8", label)
	case strings.IndexFunc(s, isControl) >= 0:
		v.Add(pointer, "%s must not contain control characters", label)
	}
	return s
}

func isControl(r rune) bool { return unicode.IsControl(r) }

// isInvisible reports whether r is a character that shows nothing, or
// changes how its neighbours show, so that two different strings can look
// the same: controls (Cc), format characters (Cf: zero-width spaces and
// joiners, bidirectional controls, the byte order mark, soft hyphens),
// separators other than the plain space, variation selectors, and the
// blank fillers of some scripts.
func isInvisible(r rune) bool {
	switch {
	case r == ' ':
		return false
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp, unicode.Variation_Selector):
		return true
	}
	switch r {
	case '\u034f', '\u115f', '\u1160', '\u17b4', '\u17b5', '\u180e', '\u3164', '\uffa0', '\ufffc':
		return true
	}
	return false
}

// checkDescription validates multi-line text: newlines and tabs allowed.
func checkDescription(v *fleetwatch.Validation, pointer, s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxDescriptionLength {
		v.Add(pointer, "description must be at most %d characters", MaxDescriptionLength)
	} else if strings.IndexFunc(s, func(r rune) bool { return isControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0 {
		v.Add(pointer, "description must not contain control characters")
	}
	return s
}

// checkEmail validates an e-mail address and returns it trimmed.
func checkEmail(v *fleetwatch.Validation, pointer, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		v.Add(pointer, "email must not be blank")
		return s
	}
	if len(s) > MaxEmailLength {
		v.Add(pointer, "email must be at most %d characters", MaxEmailLength)
		return s
	}
	if strings.IndexFunc(s, isInvisible) >= 0 {
		v.Add(pointer, "email must not contain control or invisible characters (such as a zero-width space or a direction mark)")
		return s
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || addr.Name != "" || !strings.Contains(s[strings.LastIndex(s, "@")+1:], ".") {
		v.Add(pointer, "email must be a valid address such as ops@example.com")
	}
	return s
}

// checkSiteURL validates a site's address: absolute http or https with a host.
func checkSiteURL(v *fleetwatch.Validation, pointer, s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		v.Add(pointer, "url must not be blank")
		return s
	}
	if len(s) > MaxURLLength {
		v.Add(pointer, "url must be at most %d characters", MaxURLLength)
		return s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.User != nil {
		v.Add(pointer, "url must be an http or https address such as https://www.example.org")
		return s
	}
	if strings.IndexFunc(s, isControl) >= 0 || strings.ContainsAny(s, " ") {
		v.Add(pointer, "url must not contain spaces or control characters")
	}
	return strings.TrimRight(s, "/")
}

// checkPassword validates a new password.
func checkPassword(v *fleetwatch.Validation, pointer, s string) {
	switch {
	case len(s) < MinPasswordLength:
		v.Add(pointer, "password must be at least %d characters", MinPasswordLength)
	case len(s) > MaxPasswordLength:
		v.Add(pointer, "password must be at most %d bytes", MaxPasswordLength)
	}
}

// checkRole validates a role name.
func checkRole(v *fleetwatch.Validation, pointer, role string) {
	if fleetwatch.RoleRank(role) == 0 {
		v.Add(pointer, "role must be one of %s", strings.Join(fleetwatch.Roles, ", "))
	}
}
