package drupal

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrInvalidVersion is wrapped by every error Parse returns.
var ErrInvalidVersion = errors.New("invalid drupal version")

// MaxVersionLength is the longest version string Parse accepts, in bytes.
const MaxVersionLength = 128

// maxVersionNumber bounds each numeric part so that no arithmetic on a part
// can overflow.
const maxVersionNumber = 1<<31 - 1

// Version is a parsed drupal.org (or composer) version string.
//
// The numbering follows Drupal's own model (\Drupal\update\ModuleVersion and
// the version_major/version_minor/version_patch/version_extra keys of the
// update module):
//
//   - legacy contrib "8.x-1.5": CoreCompat "8.x", Major 1, Minor -1, Patch 5;
//   - Drupal 7 core "7.101": Major 7, Minor -1, Patch 101;
//   - semantic "2.1.3" and core "10.3.6": Major, Minor and Patch as written;
//   - branch dev checkouts "2.x-dev", "2.0.x-dev", "8.x-1.x-dev" and
//     composer's "dev-2.x": the parts that are "x" are -1 and BranchDev is set;
//   - post-release dev snapshots "3.1.1+4-dev", "8.x-2.0+3-dev",
//     "3.0.0-rc7+1-dev": the release they follow, with DevCommits set to the
//     number after "+", BaseExtra to that release's extra and Extra "dev";
//   - composer dev checkouts of other branches "dev-my-feature": Major, Minor
//     and Patch are -1 and FeatureBranch holds the branch name.
type Version struct {
	// Raw is the string Parse was given.
	Raw string
	// CoreCompat is the core compatibility prefix of legacy contrib versions
	// ("8.x", "7.x"), or "" for semantic, core and composer versions.
	CoreCompat string
	// Major is Drupal's version_major, or -1 for a feature branch checkout.
	Major int
	// Minor is the middle number of a semantic version, or -1 when the
	// version has none (legacy "8.x-1.5", "7.101", branch dev "2.x-dev").
	Minor int
	// Patch is Drupal's version_patch, or -1 for a branch dev checkout.
	Patch int
	// Extra is Drupal's version_extra in lower case: "alpha1", "beta2",
	// "rc1", "unstable3", "dev", or "" for a final release.
	Extra string
	// DevCommits is N in a "+N-dev" snapshot: N commits after the release.
	// Extra is then "dev".
	DevCommits int
	// BaseExtra is the extra of the release a "+N-dev" snapshot follows:
	// "rc7" in "3.0.0-rc7+1-dev".
	BaseExtra string
	// BranchDev is set for the tip of a branch ("2.x-dev", "dev-2.0.x").
	BranchDev bool
	// FeatureBranch is the branch name of a composer "dev-<branch>" checkout
	// whose branch is not a release branch.
	FeatureBranch string
	// IsDev is set for every development checkout or snapshot.
	IsDev bool
	// IsPrerelease is set for alpha, beta, rc and unstable releases.
	IsPrerelease bool
}

// Parse parses a drupal.org or composer version string: legacy ("8.x-1.5",
// "7.x-2.0-beta3", "8.x-1.x-dev", "8.x-2.0+3-dev"), semantic ("2.1.3",
// "3.0.0-rc1", "2.x-dev", "2.0.x-dev", "3.1.1+4-dev"), core ("7.101",
// "10.3.6", "11.0.0-alpha1") and composer dev branches ("dev-3.x",
// "dev-2.0.x", "dev-<feature-branch>"). Errors wrap ErrInvalidVersion.
func Parse(s string) (Version, error) {
	if s == "" {
		return Version{}, fmt.Errorf("%w: empty", ErrInvalidVersion)
	}
	if len(s) > MaxVersionLength {
		return Version{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidVersion, MaxVersionLength)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x21 || c > 0x7e {
			return Version{}, fmt.Errorf("%w: %q contains a space, control or non-ASCII character", ErrInvalidVersion, s)
		}
	}
	v, ok := parse(s)
	if !ok {
		return Version{}, fmt.Errorf("%w: %q", ErrInvalidVersion, s)
	}
	v.Raw = s
	return v, nil
}

// MustParse is like Parse but panics on error. It is meant for constants in
// tests and tables, never for outside input.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

func parse(s string) (Version, bool) {
	if name, ok := strings.CutPrefix(s, "dev-"); ok {
		return parseComposerDev(name)
	}
	if strings.Contains(s, "+") {
		return parseSnapshot(s)
	}
	// "8.x-dev" is the one prefixed form that is not legacy contrib: the dev
	// branch of a major (Drupal's ModuleVersion special-cases it the same way).
	if i := strings.Index(s, ".x-"); i > 0 && s[i+3:] != "dev" {
		compat, err := number(s[:i])
		if err != nil {
			return Version{}, false
		}
		v, ok := parseLegacy(s[i+3:])
		if !ok {
			return Version{}, false
		}
		v.CoreCompat = strconv.Itoa(compat) + ".x"
		return v, true
	}
	return parseSemantic(s)
}

// parseComposerDev parses the part after composer's "dev-".
func parseComposerDev(name string) (Version, bool) {
	if name == "" {
		return Version{}, false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' || c == '/') {
			return Version{}, false
		}
	}
	// dev-2.x, dev-2.0.x and dev-8.x-1.x name release branches.
	if strings.HasSuffix(name, ".x") {
		if v, ok := parse(name + "-dev"); ok && v.BranchDev {
			return v, true
		}
	}
	return Version{Major: -1, Minor: -1, Patch: -1, Extra: "dev", FeatureBranch: name, IsDev: true}, true
}

// parseLegacy parses what follows "8.x-": "1.5", "1.5-beta1", "1.x-dev",
// "2.0+3-dev".
func parseLegacy(s string) (Version, bool) {
	main, extra, hasExtra := strings.Cut(s, "-")
	majorS, patchS, ok := strings.Cut(main, ".")
	if !ok {
		return Version{}, false
	}
	major, err := number(majorS)
	if err != nil {
		return Version{}, false
	}
	v := Version{Major: major, Minor: -1}
	if patchS == "x" {
		if !hasExtra || extra != "dev" {
			return Version{}, false
		}
		v.Patch = -1
		v.BranchDev = true
		return v.withExtra(extra)
	}
	if v.Patch, err = number(patchS); err != nil {
		return Version{}, false
	}
	if !hasExtra {
		return v, true
	}
	return v.withExtra(extra)
}

// parseSemantic parses "2.1.3", "3.0.0-rc1", "2.x-dev", "2.0.x-dev",
// "3.1.1+4-dev", "7.101", "8.x-dev".
func parseSemantic(s string) (Version, bool) {
	main, extra, hasExtra := strings.Cut(s, "-")
	parts := strings.Split(main, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, false
	}
	major, err := number(parts[0])
	if err != nil {
		return Version{}, false
	}
	v := Version{Major: major, Minor: -1, Patch: -1}
	last := parts[len(parts)-1]
	if last == "x" {
		if !hasExtra || extra != "dev" {
			return Version{}, false
		}
		if len(parts) == 3 {
			if v.Minor, err = number(parts[1]); err != nil {
				return Version{}, false
			}
		}
		v.BranchDev = true
		return v.withExtra(extra)
	}
	if len(parts) == 2 {
		// Drupal 7 core style: major.patch.
		if v.Patch, err = number(parts[1]); err != nil {
			return Version{}, false
		}
	} else {
		if v.Minor, err = number(parts[1]); err != nil {
			return Version{}, false
		}
		if v.Patch, err = number(parts[2]); err != nil {
			return Version{}, false
		}
	}
	if !hasExtra {
		return v, true
	}
	return v.withExtra(extra)
}

// parseSnapshot parses "<release>+N-dev", a dev snapshot N commits after a
// release: "3.1.1+4-dev", "8.x-2.0+3-dev", "3.0.0-rc7+1-dev".
func parseSnapshot(s string) (Version, bool) {
	rest, ok := strings.CutSuffix(s, "-dev")
	i := strings.LastIndexByte(rest, '+')
	if !ok || i < 0 {
		return Version{}, false
	}
	n, err := number(rest[i+1:])
	if err != nil || n == 0 {
		return Version{}, false
	}
	v, ok := parse(rest[:i])
	if !ok || v.IsDev {
		return Version{}, false
	}
	v.DevCommits = n
	v.BaseExtra = v.Extra
	v.Extra = "dev"
	v.IsDev = true
	v.IsPrerelease = false
	return v, true
}

// withExtra validates and records a version extra.
func (v Version) withExtra(extra string) (Version, bool) {
	extra = strings.ToLower(extra)
	if extra == "dev" {
		v.Extra = extra
		v.IsDev = true
		return v, true
	}
	stage, num := splitExtra(extra)
	if stage == stageFinal || stage == stageDev {
		return Version{}, false
	}
	v.Extra = stageNames[stage] + num
	v.IsPrerelease = true
	return v, true
}

// number parses a non-negative decimal number of at most 10 digits.
func number(s string) (int, error) {
	if s == "" || len(s) > 10 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > maxVersionNumber {
		return 0, strconv.ErrRange
	}
	return n, nil
}

// Release stages, in ascending order.
const (
	stageDev = iota
	stageUnstable
	stageAlpha
	stageBeta
	stageRC
	stageFinal
)

var stageNames = [...]string{"dev", "unstable", "alpha", "beta", "rc", ""}

// splitExtra splits "beta2" into its stage and number text ("2"). The
// number text is empty or a valid number; an unknown extra returns
// stageFinal, which callers treat as invalid.
func splitExtra(extra string) (stage int, num string) {
	for st := stageUnstable; st < stageFinal; st++ {
		rest, ok := strings.CutPrefix(extra, stageNames[st])
		if !ok {
			continue
		}
		if rest == "" {
			return st, ""
		}
		n, err := number(rest)
		if err != nil {
			return stageFinal, ""
		}
		return st, strconv.Itoa(n)
	}
	if extra == "dev" {
		return stageDev, ""
	}
	return stageFinal, ""
}

// String returns the version in drupal.org's form: composer's "dev-2.x"
// becomes "2.x-dev", other composer branches stay "dev-<branch>".
func (v Version) String() string {
	if v.FeatureBranch != "" {
		return "dev-" + v.FeatureBranch
	}
	var b strings.Builder
	if v.CoreCompat != "" {
		b.WriteString(v.CoreCompat)
		b.WriteByte('-')
	}
	b.WriteString(strconv.Itoa(v.Major))
	if v.Minor >= 0 {
		b.WriteByte('.')
		b.WriteString(strconv.Itoa(v.Minor))
	}
	b.WriteByte('.')
	if v.BranchDev {
		b.WriteByte('x')
	} else {
		b.WriteString(strconv.Itoa(v.Patch))
	}
	if v.DevCommits > 0 {
		if v.BaseExtra != "" {
			b.WriteByte('-')
			b.WriteString(v.BaseExtra)
		}
		b.WriteByte('+')
		b.WriteString(strconv.Itoa(v.DevCommits))
	}
	if v.Extra != "" {
		b.WriteByte('-')
		b.WriteString(v.Extra)
	}
	return b.String()
}

// IsLegacy reports whether v uses Drupal's legacy numbering (no minor
// number): contrib "8.x-1.5" or Drupal 7 core "7.101".
func (v Version) IsLegacy() bool {
	return v.CoreCompat != "" || (v.Minor < 0 && !v.BranchDev && v.FeatureBranch == "")
}

// Branch returns the drupal.org branch v belongs to, in the form used by
// a release history's supported_branches: "8.x-1." for "8.x-1.5", "7." for
// "7.101", "10.3." for "10.3.6", "2." for "2.x-dev", "2.0." for "2.0.x-dev".
// It is "" for a feature branch checkout. drupal.org may list a wider
// branch than this ("3." for a project whose 3.1.0 is on its 3.x branch),
// so test membership with InBranch, not by comparing with Branch.
func (v Version) Branch() string {
	switch {
	case v.FeatureBranch != "":
		return ""
	case v.CoreCompat != "":
		return v.CoreCompat + "-" + strconv.Itoa(v.Major) + "."
	case v.Minor < 0:
		return strconv.Itoa(v.Major) + "."
	default:
		return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) + "."
	}
}

// InBranch reports whether v belongs to a supported_branches entry such as
// "8.x-1." or "10.3.", the way Drupal tests it: the version string starts
// with the branch. A branch dev checkout ("3.x-dev") also belongs to every
// narrower branch of its line ("3.1."), which Drupal does not allow for.
func (v Version) InBranch(branch string) bool {
	if branch == "" || v.FeatureBranch != "" {
		return false
	}
	s := v.String()
	if strings.HasPrefix(s, branch) {
		return true
	}
	if v.BranchDev {
		prefix, _ := strings.CutSuffix(s, "x-dev")
		return strings.HasPrefix(branch, prefix)
	}
	return false
}

// WithoutExtra returns the version string with its "-extra" removed, as
// Drupal does to group the pre-releases of one release.
func (v Version) WithoutExtra() string {
	w := v
	w.Extra = ""
	w.BaseExtra = ""
	w.DevCommits = 0
	if w.BranchDev || w.FeatureBranch != "" {
		return v.String()
	}
	return w.String()
}

// Compare returns -1, 0 or +1 as a sorts before, equal to or after b.
//
// Versions order by core compatibility (7.x contrib before 8.x and semantic
// contrib), major, minor and patch, with a legacy "8.x-1.13" equal to its
// composer form "1.13.0". Within one release, dev snapshots of it
// ("8.1.0-dev") come first, then unstable, alpha, beta and rc pre-releases
// in number order, then the release, then "+N-dev" snapshots after it by N.
// A branch dev checkout ("2.x-dev", "2.0.x-dev") sorts after every release
// of its branch. Feature branch checkouts sort before everything else, by
// name. Raw text is ignored: Compare(Parse("dev-2.x"), Parse("2.x-dev")) is
// 0.
func Compare(a, b Version) int {
	ka, kb := a.key(), b.key()
	for i := range ka {
		if c := cmpInt(ka[i], kb[i]); c != 0 {
			return c
		}
	}
	return strings.Compare(a.FeatureBranch, b.FeatureBranch)
}

const infinity = maxVersionNumber + 1

// key returns the sort key of v: compat, feature flag, major, minor, patch,
// stage, stage number, dev commits.
func (v Version) key() [8]int {
	if v.FeatureBranch != "" {
		return [8]int{0, 0}
	}
	compat := 8
	if c, ok := strings.CutSuffix(v.CoreCompat, ".x"); ok {
		if n, err := number(c); err == nil && n < 8 {
			compat = n
		}
	}
	major, minor, patch := v.Major, v.Minor, v.Patch
	if v.IsLegacy() {
		// Composer's form of 8.x-1.13 is 1.13.0.
		minor, patch = v.Patch, 0
	}
	if v.BranchDev {
		if minor < 0 {
			minor = infinity
		}
		patch = infinity
	}
	stage, num := stageFinal, 0
	extra := v.Extra
	if v.DevCommits > 0 {
		extra = v.BaseExtra
	}
	if extra != "" && !v.BranchDev {
		var numS string
		stage, numS = splitExtra(extra)
		if numS != "" {
			num, _ = strconv.Atoi(numS)
		}
	}
	return [8]int{compat, 1, major, minor, patch, stage, num, v.DevCommits}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
