package composerver

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ErrInvalid is wrapped by every error of Normalize and Parse.
var ErrInvalid = errors.New("invalid composer version or constraint")

// MaxLength is the longest version or constraint string accepted, in bytes.
const MaxLength = 1024

// modifier is composer/semver's pre-release pattern: an optional separator,
// a stability word with optional numbers, and an optional dev suffix.
const modifier = `[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?`

var (
	aliasRE     = regexp.MustCompile(`^([^,\s]+) +as +([^,\s]+)$`)
	flagRE      = regexp.MustCompile(`(?i)@(?:stable|RC|beta|alpha|dev)$`)
	buildRE     = regexp.MustCompile(`^([^,\s+]+)\+[^\s]+$`)
	classicalRE = regexp.MustCompile(`(?i)^v?(\d{1,5})(\.\d+)?(\.\d+)?(\.\d+)?` + modifier + `$`)
	dateRE      = regexp.MustCompile(`(?i)^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})` + modifier + `$`)
	devSuffixRE = regexp.MustCompile(`(?i)^(.*?)[.-]?dev$`)
	branchRE    = regexp.MustCompile(`(?i)^v?(\d+)(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?(\.(?:\d+|[xX*]))?$`)
	stabilityRE = regexp.MustCompile(`(?i)` + modifier + `(?:\+.*)?$`)
	nonDigitRE  = regexp.MustCompile(`\D`)
)

// trim removes what PHP's trim() removes.
func trim(s string) string { return strings.Trim(s, " \t\n\r\x00\x0B") }

// Normalize returns Composer's normalised form of a version, as
// VersionParser::normalize does: "v1.2" is "1.2.0.0", "1.0.0-rc1" is
// "1.0.0.0-RC1", "2.x-dev" is "2.9999999.9999999.9999999-dev", a branch
// "dev-main" stays "dev-main", and an alias ("dev-main as 1.0") or a
// stability flag ("1.0@dev") is dropped. Anything else is an error wrapping
// ErrInvalid.
func Normalize(version string) (string, error) {
	if len(version) > MaxLength {
		return "", fmt.Errorf("%w: version longer than %d bytes", ErrInvalid, MaxLength)
	}
	v := trim(version)
	if m := aliasRE.FindStringSubmatch(v); m != nil {
		v = m[1]
	}
	if loc := flagRE.FindStringIndex(v); loc != nil {
		v = v[:loc[0]]
	}
	if v == "master" || v == "trunk" || v == "default" {
		v = "dev-" + v
	}
	if len(v) >= 4 && strings.EqualFold(v[:4], "dev-") {
		return "dev-" + v[4:], nil
	}
	if m := buildRE.FindStringSubmatch(v); m != nil {
		v = m[1]
	}
	var (
		m     []string
		index int
		out   string
	)
	if m = classicalRE.FindStringSubmatch(v); m != nil {
		out = m[1] + orDefault(m[2], ".0") + orDefault(m[3], ".0") + orDefault(m[4], ".0")
		index = 5
	} else if m = dateRE.FindStringSubmatch(v); m != nil {
		out = nonDigitRE.ReplaceAllString(m[1], ".")
		index = 2
	}
	if index > 0 {
		if m[index] != "" {
			if m[index] == "stable" {
				return out, nil
			}
			out += "-" + expandStability(m[index]) + strings.TrimLeft(m[index+1], ".-")
		}
		if m[index+2] != "" {
			out += "-dev"
		}
		return out, nil
	}
	if m := devSuffixRE.FindStringSubmatch(v); m != nil {
		if n := NormalizeBranch(m[1]); !strings.Contains(n, "dev-") {
			return n, nil
		}
	}
	return "", fmt.Errorf("%w: invalid version string %q", ErrInvalid, clip(version))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func expandStability(s string) string {
	switch s = strings.ToLower(s); s {
	case "a":
		return "alpha"
	case "b":
		return "beta"
	case "p", "pl":
		return "patch"
	case "rc":
		return "RC"
	}
	return s
}

// NormalizeBranch returns the normalised form of a branch name: a numbered
// branch ("2.x", "v1.0") is "2.9999999.9999999.9999999-dev", any other
// ("main") is "dev-main".
func NormalizeBranch(name string) string {
	name = trim(name)
	m := branchRE.FindStringSubmatch(name)
	if m == nil {
		return "dev-" + name
	}
	var b strings.Builder
	for i := 1; i < 5; i++ {
		part := m[i]
		if i > 1 && part == "" {
			part = ".x"
		}
		part = strings.NewReplacer("*", "x", "X", "x").Replace(part)
		b.WriteString(strings.ReplaceAll(part, "x", "9999999"))
	}
	return b.String() + "-dev"
}

// Stability levels, as Composer names them.
const (
	StabilityStable = "stable"
	StabilityRC     = "RC"
	StabilityBeta   = "beta"
	StabilityAlpha  = "alpha"
	StabilityDev    = "dev"
)

// Stability returns the stability of a version as Composer reads it
// (VersionParser::parseStability): "dev" for branches and -dev versions,
// "alpha", "beta", "RC" for those suffixes, "stable" otherwise (patch
// releases included).
func Stability(version string) string {
	if i := strings.IndexByte(version, '#'); i >= 0 && i+1 < len(version) {
		version = version[:i]
	}
	if strings.HasPrefix(version, "dev-") || strings.HasSuffix(version, "-dev") {
		return StabilityDev
	}
	m := stabilityRE.FindStringSubmatch(strings.ToLower(version))
	if m == nil {
		return StabilityStable
	}
	if m[3] != "" {
		return StabilityDev
	}
	switch m[1] {
	case "beta", "b":
		return StabilityBeta
	case "alpha", "a":
		return StabilityAlpha
	case "rc":
		return StabilityRC
	}
	return StabilityStable
}

// Version is a normalised version, split for comparison.
type Version struct {
	// Normalized is the normalised form ("7.4.2.0", "dev-main").
	Normalized string
	parts      []part
}

// part is one element of a canonicalised version: a number, or a word
// ranked as version_compare ranks its special forms.
type part struct {
	num     int64
	special int
	isNum   bool
}

// ParseVersion normalises version and prepares it for Compare and
// Constraint.Matches. Errors wrap ErrInvalid.
func ParseVersion(version string) (Version, error) {
	n, err := Normalize(version)
	if err != nil {
		return Version{}, err
	}
	return Version{Normalized: n, parts: canonicalParts(n)}, nil
}

// MustParseVersion is ParseVersion for constants; it panics on error.
func MustParseVersion(version string) Version {
	v, err := ParseVersion(version)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the normalised form.
func (v Version) String() string { return v.Normalized }

// IsBranch reports whether v is a named branch ("dev-main"), which no
// range matches.
func (v Version) IsBranch() bool { return strings.HasPrefix(v.Normalized, "dev-") }

// Compare orders two normalised versions as PHP's version_compare does:
// -1, 0 or +1. Named branches ("dev-main") sort before every release, as
// version_compare sorts them; Constraint.Matches keeps them out of ranges.
func Compare(a, b Version) int {
	if a.parts == nil && a.Normalized != "" {
		a.parts = canonicalParts(a.Normalized)
	}
	if b.parts == nil && b.Normalized != "" {
		b.parts = canonicalParts(b.Normalized)
	}
	return compareParts(a.parts, b.parts)
}

// CompareStrings normalises and compares two version strings; versions
// Normalize rejects are compared as given.
func CompareStrings(a, b string) int {
	return compareParts(canonicalParts(normalizedOrRaw(a)), canonicalParts(normalizedOrRaw(b)))
}

func normalizedOrRaw(s string) string {
	if n, err := Normalize(s); err == nil {
		return n
	}
	return s
}

// canonicalParts splits a version as php_canonicalize_version does: "-",
// "_", "+" and other non-alphanumerics separate parts, and so does every
// change between digits and letters.
func canonicalParts(s string) []part {
	var out []part
	start := -1
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isAlpha := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	flush := func(end int) {
		if start < 0 {
			return
		}
		tok := s[start:end]
		start = -1
		if isDigit(tok[0]) {
			n, err := strconv.ParseInt(tok, 10, 64)
			if err != nil {
				n = 1<<63 - 1 // strtol saturates
			}
			out = append(out, part{num: n, isNum: true})
			return
		}
		out = append(out, part{special: specialRank(tok)})
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !isDigit(c) && !isAlpha(c):
			flush(i)
		case start >= 0 && isDigit(c) != isDigit(s[start]):
			flush(i)
			start = i
		case start < 0:
			start = i
		}
	}
	flush(len(s))
	return out
}

// rankNumber is the rank version_compare gives a number ("#") among words.
const rankNumber = 4

// specialRank ranks a word as version_compare's special forms do, by
// prefix: dev < alpha = a < beta = b < RC = rc < number < pl = p; any other
// word sorts first.
func specialRank(tok string) int {
	for _, f := range []struct {
		prefix string
		rank   int
	}{{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"RC", 3}, {"rc", 3}, {"#", rankNumber}, {"pl", 5}, {"p", 5}} {
		if strings.HasPrefix(tok, f.prefix) {
			return f.rank
		}
	}
	return -6
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

func comparePart(a, b part) int {
	switch {
	case a.isNum && b.isNum:
		switch {
		case a.num < b.num:
			return -1
		case a.num > b.num:
			return 1
		}
		return 0
	case a.isNum:
		return sign(rankNumber - b.special)
	case b.isNum:
		return sign(a.special - rankNumber)
	}
	return sign(a.special - b.special)
}

func compareParts(a, b []part) int {
	n := min(len(a), len(b))
	for i := range n {
		if c := comparePart(a[i], b[i]); c != 0 {
			return c
		}
	}
	switch {
	case len(a) > n:
		// A longer version is newer when it goes on with a number
		// ("1.0.0.1"), older when with a pre-release word ("1.0.0.0-RC1").
		if a[n].isNum {
			return 1
		}
		return sign(a[n].special - rankNumber)
	case len(b) > n:
		if b[n].isNum {
			return -1
		}
		return sign(rankNumber - b[n].special)
	}
	return 0
}

// clip shortens s for an error message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
