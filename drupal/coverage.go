package drupal

import (
	"fmt"
	"strings"
	"time"
)

// coreMinorsWithSecurityCoverage is how many later minors keep a Drupal
// core minor covered: 9.0.x is covered until 9.2.0 is released.
const coreMinorsWithSecurityCoverage = 2

// coreCoverageEndDates are the core minors whose coverage ends on a date
// rather than with a later minor (ProjectSecurityData's constants across
// Drupal 9–11): end date ("YYYY-MM-DD" or "YYYY-MM") and warning date.
var coreCoverageEndDates = map[[2]int][2]string{
	{8, 8}:  {"2020-12-02", "2020-06-02"},
	{8, 9}:  {"2021-11", ""},
	{10, 5}: {"2026-06-17", "2025-12-10"},
	{10, 6}: {"2026-12-09", "2026-06-17"},
}

// CoreCoverage is the security coverage of an installed Drupal core
// release, computed like Drupal's ProjectSecurityData and
// ProjectSecurityRequirement.
type CoreCoverage struct {
	// EndVersion is the core release that ends coverage ("9.2.0"), "" when
	// coverage ends on a date.
	EndVersion string
	// AdditionalMinors is how many more minors may be released before
	// coverage ends (0 or less: it has ended); meaningful only when
	// AdditionalMinorsKnown is set.
	AdditionalMinors int
	// AdditionalMinorsKnown is set when the feed has a stable release of
	// the installed major to count minors from.
	AdditionalMinorsKnown bool
	// EndDate is the date coverage ends ("2020-12-02" or "2021-11"), "" when
	// it ends with a release.
	EndDate string
	// WarnDate is the date from which Drupal warns that coverage is ending.
	WarnDate string
	// Ended is set when coverage is over.
	Ended bool
	// Ending is set when coverage ends with the next minor or the warning
	// date has passed.
	Ending bool
}

// coverage fills Result.Coverage for Drupal core.
func (e *evaluation) coverage() {
	p := e.in.Project
	if p == nil || p.ShortName != "drupal" || e.res.InstalledRelease == nil || e.v.Raw == "" ||
		e.v.Extra != "" || e.v.Minor < 0 || e.v.CoreCompat != "" {
		return
	}
	c := &CoreCoverage{}
	if d, ok := coreCoverageEndDates[[2]int{e.v.Major, e.v.Minor}]; ok {
		c.EndDate, c.WarnDate = d[0], d[1]
		if !e.in.Now.IsZero() {
			today := e.in.Now.UTC().Format(time.DateOnly)
			end := c.EndDate
			if len(end) == len("2006-01") {
				end += "-01"
			}
			c.Ended = today >= end
			c.Ending = !c.Ended && c.WarnDate != "" && today >= c.WarnDate
		}
	} else {
		endMinor := e.v.Minor + coreMinorsWithSecurityCoverage
		c.EndVersion = fmt.Sprintf("%d.%d.0", e.v.Major, endMinor)
		for _, r := range p.Releases {
			rv, err := Parse(r.Version)
			if err != nil || rv.Major != e.v.Major || !r.IsPublished() || rv.Extra != "" || rv.Minor < 0 {
				continue
			}
			c.AdditionalMinors = endMinor - rv.Minor
			c.AdditionalMinorsKnown = true
			break
		}
		c.Ended = c.AdditionalMinorsKnown && c.AdditionalMinors <= 0
		c.Ending = c.AdditionalMinorsKnown && c.AdditionalMinors == 1
	}
	e.res.Coverage = c
	switch {
	case c.Ended:
		e.reason("Security coverage for Drupal %d.%d has ended; update to a supported minor as soon as possible.", e.v.Major, e.v.Minor)
	case c.Ending && c.EndVersion != "":
		e.reason("Security coverage for Drupal %d.%d ends when %s is released; update to %d.%d or higher soon.", e.v.Major, e.v.Minor, c.EndVersion, e.v.Major, e.v.Minor+1)
	case c.Ending:
		e.reason("Security coverage for Drupal %d.%d ends on %s; update to a supported minor soon.", e.v.Major, e.v.Minor, c.EndDate)
	}
}

// compat fills Result.Incompatible from the releases' core_compatibility.
func (e *evaluation) compat() {
	if e.in.CoreVersion == "" || e.in.Project == nil {
		return
	}
	core, err := Parse(e.in.CoreVersion)
	if err != nil || core.FeatureBranch != "" {
		return
	}
	check := func(version string) {
		if version == "" {
			return
		}
		r, ok := e.in.Project.Release(version)
		if !ok || r.CoreCompatibility == "" {
			return
		}
		ok, err := SatisfiesConstraint(core, r.CoreCompatibility)
		if err != nil || ok {
			return
		}
		for _, seen := range e.res.Incompatible {
			if seen == version {
				return
			}
		}
		e.res.Incompatible = append(e.res.Incompatible, version)
		e.reason("Release %s requires Drupal core %s, but the site runs %s.", version, r.CoreCompatibility, core.String())
	}
	check(e.res.RecommendedVersion)
	check(e.res.LatestVersion)
	for _, s := range e.res.SecurityUpdates {
		check(canonical(s.Version))
	}
	for _, a := range e.res.AlsoAvailable {
		check(a)
	}
}

// SatisfiesConstraint reports whether version v satisfies a composer
// constraint as drupal.org writes core_compatibility: "^8 || ^9",
// "~8.8.0", ">=8.1.0 <9", "8.0.0 || 8.1.1", "8.*". Pre-release suffixes
// of v are ignored. An unparseable constraint is an error.
func SatisfiesConstraint(v Version, constraint string) (bool, error) {
	if len(constraint) > 1024 {
		return false, fmt.Errorf("constraint longer than 1024 bytes")
	}
	have := triplet(v)
	constraint = strings.ReplaceAll(constraint, "||", "|")
	for alt := range strings.SplitSeq(constraint, "|") {
		fields := strings.FieldsFunc(alt, func(r rune) bool { return r == ' ' || r == ',' })
		if len(fields) == 0 {
			return false, fmt.Errorf("empty constraint in %q", clip(constraint))
		}
		all := true
		for _, f := range fields {
			ok, err := satisfiesOne(have, f)
			if err != nil {
				return false, err
			}
			all = all && ok
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

func triplet(v Version) [3]int {
	t := [3]int{v.Major, max(v.Minor, 0), max(v.Patch, 0)}
	if v.IsLegacy() {
		t = [3]int{v.Major, max(v.Patch, 0), 0}
	}
	return t
}

func satisfiesOne(have [3]int, c string) (bool, error) {
	op := ""
	for _, p := range []string{">=", "<=", "!=", "==", "^", "~", ">", "<", "="} {
		if rest, ok := strings.CutPrefix(c, p); ok {
			op, c = p, rest
			break
		}
	}
	c = strings.TrimPrefix(c, "v")
	if c == "*" {
		return true, nil
	}
	// Drop a pre-release or stability suffix: "8.1.0-beta1", "9.0@dev".
	if i := strings.IndexAny(c, "-@"); i >= 0 {
		c = c[:i]
	}
	parts := strings.Split(c, ".")
	if len(parts) > 3 || c == "" {
		return false, fmt.Errorf("bad version %q in constraint", clip(c))
	}
	var want [3]int
	n := 0
	wildcard := false
	for i, p := range parts {
		if p == "*" || p == "x" {
			if op != "" || i != len(parts)-1 {
				return false, fmt.Errorf("bad wildcard in constraint %q", clip(c))
			}
			wildcard = true
			break
		}
		// A part reads as a version's own numbers do, so that every
		// version satisfies the constraint of its own numbers.
		x, err := number(p)
		if err != nil {
			return false, fmt.Errorf("bad number %q in constraint", clip(p))
		}
		want[i] = x
		n++
	}
	cmp := cmpTriplet(have, want)
	switch {
	case wildcard:
		return prefixEqual(have, want, n), nil
	case op == "^":
		// Same leftmost non-zero part, and not lower.
		upper := caretUpper(want, n)
		return cmp >= 0 && cmpTriplet(have, upper) < 0, nil
	case op == "~":
		upper := want
		if n <= 1 {
			upper = [3]int{want[0] + 1, 0, 0}
		} else {
			upper[n-2]++
			for i := n - 1; i < 3; i++ {
				upper[i] = 0
			}
		}
		return cmp >= 0 && cmpTriplet(have, upper) < 0, nil
	case op == ">=":
		return cmp >= 0, nil
	case op == "<=":
		return cmp <= 0, nil
	case op == ">":
		return cmp > 0, nil
	case op == "<":
		return cmp < 0, nil
	case op == "!=":
		return cmp != 0, nil
	default:
		return cmp == 0, nil
	}
}

func caretUpper(want [3]int, n int) [3]int {
	for i := 0; i < n; i++ {
		if want[i] != 0 || i == n-1 {
			var u [3]int
			copy(u[:i], want[:i])
			u[i] = want[i] + 1
			return u
		}
	}
	return [3]int{want[0] + 1, 0, 0}
}

// prefixEqual compares the first n parts, for wildcards such as "8.1.*".
func prefixEqual(have, want [3]int, n int) bool {
	for i := 0; i < n; i++ {
		if have[i] != want[i] {
			return false
		}
	}
	return true
}

func cmpTriplet(a, b [3]int) int {
	for i := range a {
		if c := cmpInt(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}
