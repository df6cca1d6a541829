package composerver

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Operators of a Term, as Composer prints them.
const (
	OpEQ  = "=="
	OpNE  = "!="
	OpLT  = "<"
	OpLE  = "<="
	OpGT  = ">"
	OpGE  = ">="
	OpAny = "*"
)

// Term is one comparison of a constraint: Op against a normalised Version
// ("< 7.4.5.0-dev"), or OpAny, which every version matches.
type Term struct {
	Op      string
	Version Version
}

// String is the term as Composer prints it ("< 7.4.5.0-dev", "*").
func (t Term) String() string {
	if t.Op == OpAny {
		return OpAny
	}
	return t.Op + " " + t.Version.Normalized
}

// Matches reports whether version v satisfies the term, as Composer's
// Constraint::matchSpecific does for an exact version: named branches
// ("dev-main") match only == and != of the same branch.
func (t Term) Matches(v Version) bool {
	x := t.Version
	vBranch, xBranch := v.IsBranch(), x.IsBranch()
	switch t.Op {
	case OpAny:
		return true
	case OpNE:
		if vBranch || xBranch {
			return v.Normalized != x.Normalized
		}
		return Compare(v, x) != 0
	case OpEQ:
		if vBranch || xBranch {
			return vBranch && xBranch && v.Normalized == x.Normalized
		}
		return Compare(v, x) == 0
	}
	if vBranch || xBranch {
		return false
	}
	c := Compare(v, x)
	switch t.Op {
	case OpLT:
		return c < 0
	case OpLE:
		return c <= 0
	case OpGT:
		return c > 0
	case OpGE:
		return c >= 0
	}
	return false
}

// Constraint is a parsed Composer constraint: a disjunction ("||") of
// conjunctions (" " or ",") of terms.
type Constraint struct {
	// Pretty is the constraint as written.
	Pretty string
	// Any holds the alternatives; each is a list of terms that must all match.
	Any [][]Term
}

// Matches reports whether version v satisfies the constraint.
func (c Constraint) Matches(v Version) bool {
	for _, all := range c.Any {
		ok := true
		for _, t := range all {
			if !t.Matches(v) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// String prints the constraint as Composer prints a parsed one:
// "== 1.0.0.0", "[>= 1.0.0.0-dev < 2.0.0.0-dev]", "[== dev-x || == 3.5.0.0]".
func (c Constraint) String() string {
	group := func(all []Term) string {
		if len(all) == 1 {
			return all[0].String()
		}
		s := make([]string, len(all))
		for i, t := range all {
			s[i] = t.String()
		}
		return "[" + strings.Join(s, " ") + "]"
	}
	if len(c.Any) == 1 {
		return group(c.Any[0])
	}
	s := make([]string, len(c.Any))
	for i, all := range c.Any {
		s[i] = group(all)
	}
	return "[" + strings.Join(s, " || ") + "]"
}

// Satisfies reports whether version satisfies constraint, as Composer's
// Semver::satisfies does. Errors wrap ErrInvalid.
func Satisfies(version, constraint string) (bool, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return false, err
	}
	c, err := Parse(constraint)
	if err != nil {
		return false, err
	}
	return c.Matches(v), nil
}

var orSplitRE = regexp.MustCompile(`\s*\|\|?\s*`)

// Parse parses a Composer constraint as VersionParser::parseConstraints
// does: "||" or "|" between alternatives, a comma or spaces between terms
// that must all hold, and each term one of "1.2.3" (exact), ">=1.2",
// "<2.0", "!=1.5", "~1.2", "^1.2.3", "1.2.*", "1.0 - 2.0", "dev-main",
// "2.x-dev", with optional "@stability" flags and "as" aliases. Errors wrap
// ErrInvalid.
func Parse(constraint string) (Constraint, error) {
	if len(constraint) > MaxLength {
		return Constraint{}, fmt.Errorf("%w: constraint longer than %d bytes", ErrInvalid, MaxLength)
	}
	c := Constraint{Pretty: constraint}
	for _, alt := range orSplitRE.Split(trim(constraint), -1) {
		var all []Term
		for _, piece := range splitAnd(alt) {
			terms, err := parseOne(piece)
			if err != nil {
				return Constraint{}, err
			}
			all = append(all, terms...)
		}
		c.Any = append(c.Any, all)
	}
	return c, nil
}

// MustParse is Parse for constants; it panics on error.
func MustParse(constraint string) Constraint {
	c, err := Parse(constraint)
	if err != nil {
		panic(err)
	}
	return c
}

// splitAnd splits one alternative where composer/semver's pattern
// (?<!^|as|[=>< ,]) *(?<!-)[, ](?!-) *(?!,|as|$) matches: at a comma or a
// space, not after an operator, a comma or "as", not next to a hyphen
// (hyphen ranges), not before a comma, "as" or the end. Go's regexp has no
// look-around, so the pattern's backtracking is done by hand.
func splitAnd(s string) []string {
	var out []string
	from := 0
	for p := 0; p < len(s); p++ {
		end, ok := andSeparatorAt(s, p)
		if !ok {
			continue
		}
		out = append(out, s[from:p])
		from = end
		p = end - 1
	}
	return append(out, s[from:])
}

// andSeparatorAt reports whether the separator pattern matches at p, and
// where the match ends.
func andSeparatorAt(s string, p int) (int, bool) {
	if p == 0 || (p >= 2 && s[p-2:p] == "as") || strings.IndexByte("=>< ,", s[p-1]) >= 0 {
		return 0, false
	}
	spaces := func(i int) int {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		return i
	}
	// " *" is greedy: try the separator at the last space first.
	for q := spaces(p); q >= p; q-- {
		if q >= len(s) || (s[q] != ',' && s[q] != ' ') {
			continue
		}
		if (q > 0 && s[q-1] == '-') || (q+1 < len(s) && s[q+1] == '-') {
			continue
		}
		r := spaces(q + 1)
		if r < len(s) && s[r] != ',' && !strings.HasPrefix(s[r:], "as") {
			return r, true
		}
		if r > q+1 { // give back one space: the look-ahead then sees a space
			return r - 1, true
		}
	}
	return 0, false
}

var (
	constraintAliasRE = regexp.MustCompile(`^([^,\s]+) +as +([^,\s]+)$`)
	constraintFlagRE  = regexp.MustCompile(`(?i)^([^,\s]*?)@(stable|RC|beta|alpha|dev)$`)
	refRE             = regexp.MustCompile(`(?i)^(dev-[^,\s@]+?|[^,\s@]+?\.x-dev)#.+$`)
	anyRE             = regexp.MustCompile(`(?i)^(v)?[xX*](\.[xX*])*$`)
)

// versionPattern is composer/semver's $versionRegex: four numbers, then a
// modifier or an ".x-dev" branch suffix, then build metadata.
const versionPattern = `v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:` + modifier + `|\.([xX*][.-]?dev))(?:\+[^\s]+)?`

var (
	tildeRE  = regexp.MustCompile(`(?i)^~(>)?` + versionPattern + `$`)
	caretRE  = regexp.MustCompile(`(?i)^\^` + versionPattern + `$`)
	xRangeRE = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.[xX*])+$`)
	hyphenRE = regexp.MustCompile(`(?i)^(` + versionPattern + `) +- +(` + versionPattern + `)$`)
	basicRE  = regexp.MustCompile(`^(<>|!=|>=?|<=?|==?)?\s*(.*)`)
	modEndRE = regexp.MustCompile(`-` + modifier + `$`)
	simpleRE = regexp.MustCompile(`^[0-9a-zA-Z-./]+$`)
)

// parseOne parses one term of a conjunction into one or two terms.
func parseOne(constraint string) ([]Term, error) {
	orig := constraint
	fail := func(why string) ([]Term, error) {
		if why != "" {
			why = ": " + why
		}
		return nil, fmt.Errorf("%w: could not parse version constraint %q%s", ErrInvalid, clip(orig), why)
	}
	if m := constraintAliasRE.FindStringSubmatch(constraint); m != nil {
		constraint = m[1]
	}
	stabilityModifier := ""
	if m := constraintFlagRE.FindStringSubmatch(constraint); m != nil {
		constraint = m[1]
		if constraint == "" {
			constraint = "*"
		}
		if m[2] != "stable" {
			stabilityModifier = m[2]
		}
	}
	if m := refRE.FindStringSubmatch(constraint); m != nil {
		constraint = m[1]
	}
	if m := anyRE.FindStringSubmatch(constraint); m != nil {
		if m[1] != "" || m[2] != "" {
			return []Term{{Op: OpGE, Version: mustVersion("0.0.0.0-dev")}}, nil
		}
		return []Term{{Op: OpAny}}, nil
	}
	if m := tildeRE.FindStringSubmatch(constraint); m != nil {
		if m[1] != "" {
			return fail(`invalid operator "~>", you probably meant to use the "~" operator`)
		}
		nums := m[2:6]
		position := 1
		for i := 3; i >= 1; i-- {
			if nums[i] != "" {
				position = i + 1
				break
			}
		}
		if m[9] != "" { // 2.x-dev: the wildcard is one more position
			position++
		}
		suffix := ""
		if m[6] == "" && m[8] == "" && m[9] == "" {
			suffix = "-dev"
		}
		low, err := Normalize(constraint[1:] + suffix)
		if err != nil {
			return fail(err.Error())
		}
		high, ok := bump(nums, max(1, position-1))
		if !ok {
			return fail("version number too large")
		}
		return []Term{{OpGE, mustVersion(low)}, {OpLT, mustVersion(high + "-dev")}}, nil
	}
	if m := caretRE.FindStringSubmatch(constraint); m != nil {
		nums := m[1:5]
		position := 3
		switch {
		case nums[0] != "0" || nums[1] == "":
			position = 1
		case nums[1] != "0" || nums[2] == "":
			position = 2
		}
		suffix := ""
		if m[5] == "" && m[7] == "" && m[8] == "" {
			suffix = "-dev"
		}
		low, err := Normalize(constraint[1:] + suffix)
		if err != nil {
			return fail(err.Error())
		}
		high, ok := bump(nums, position)
		if !ok {
			return fail("version number too large")
		}
		return []Term{{OpGE, mustVersion(low)}, {OpLT, mustVersion(high + "-dev")}}, nil
	}
	if m := xRangeRE.FindStringSubmatch(constraint); m != nil {
		nums := append(m[1:4:4], "")
		position := 1
		if nums[2] != "" {
			position = 3
		} else if nums[1] != "" {
			position = 2
		}
		low := pad(nums, position) + "-dev"
		high, ok := bump(nums, position)
		if !ok {
			return fail("version number too large")
		}
		if low == "0.0.0.0-dev" {
			return []Term{{OpLT, mustVersion(high + "-dev")}}, nil
		}
		return []Term{{OpGE, mustVersion(low)}, {OpLT, mustVersion(high + "-dev")}}, nil
	}
	if m := hyphenRE.FindStringSubmatch(constraint); m != nil {
		// Groups: 1 from, 2-5 its numbers, 6-8 modifier, 9 x-dev; 10 to,
		// 11-14, 15-17, 18.
		lowSuffix := ""
		if m[6] == "" && m[8] == "" && m[9] == "" {
			lowSuffix = "-dev"
		}
		low, err := Normalize(m[1])
		if err != nil {
			return fail(err.Error())
		}
		to, err := Normalize(m[10])
		if err != nil {
			return fail(err.Error())
		}
		lowTerm := Term{OpGE, mustVersion(low + lowSuffix)}
		if (m[12] != "" && m[13] != "") || m[15] != "" || m[17] != "" || m[18] != "" {
			return []Term{lowTerm, {OpLE, mustVersion(to)}}, nil
		}
		position := 2
		if m[12] == "" {
			position = 1
		}
		high, ok := bump(m[11:15], position)
		if !ok {
			return fail("version number too large")
		}
		return []Term{lowTerm, {OpLT, mustVersion(high + "-dev")}}, nil
	}
	m := basicRE.FindStringSubmatch(constraint)
	version, err := Normalize(m[2])
	if err != nil {
		// "foobar-dev" is taken for "dev-foobar", unless an operator says
		// a version was meant.
		if !strings.HasSuffix(m[2], "-dev") || !simpleRE.MatchString(m[2]) {
			return fail(err.Error())
		}
		if version, err = Normalize("dev-" + strings.TrimSuffix(m[2], "-dev")); err != nil {
			return fail(err.Error())
		}
	}
	op := m[1]
	switch op {
	case "", "=":
		op = OpEQ
	case "<>":
		op = OpNE
	}
	switch {
	case op != OpEQ && stabilityModifier != "" && Stability(version) == StabilityStable:
		version += "-" + stabilityModifier
	case op == OpLT || op == OpGE:
		if !modEndRE.MatchString(strings.ToLower(m[2])) && !strings.HasPrefix(m[2], "dev-") {
			version += "-dev"
		}
	}
	return []Term{{op, mustVersion(version)}}, nil
}

// mustVersion wraps an already normalised version.
func mustVersion(normalized string) Version {
	return Version{Normalized: normalized, parts: canonicalParts(normalized)}
}

// pad is manipulateVersionString without increment: the numbers up to
// position, zeros after.
func pad(nums []string, position int) string {
	out := make([]string, 4)
	for i := range 4 {
		if i+1 > position {
			out[i] = "0"
		} else {
			out[i] = nums[i]
		}
	}
	return strings.Join(out, ".")
}

// bump is manipulateVersionString with an increment of one at position
// (1-4), zeros after it; false when the number overflows.
func bump(nums []string, position int) (string, bool) {
	out := make([]string, 4)
	for i := range 4 {
		switch {
		case i+1 > position:
			out[i] = "0"
		case i+1 == position:
			n := int64(0)
			if nums[i] != "" {
				var err error
				if n, err = strconv.ParseInt(nums[i], 10, 64); err != nil || n == 1<<63-1 {
					return "", false
				}
			}
			out[i] = strconv.FormatInt(n+1, 10)
		default:
			out[i] = nums[i]
		}
	}
	return strings.Join(out, "."), true
}
