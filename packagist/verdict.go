package packagist

import (
	"slices"
	"strings"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/composerver"
)

// Finding is one advisory that applies to an installed library version.
type Finding struct {
	// Advisory is the merged advisory.
	Advisory *Advisory
	// Package and Installed are the library and its version as given.
	Package, Installed string
	// Matched are the advisory's ranges of the package the version is in.
	Matched []Range
	// Fixed is the lowest version above the installed one that the advisory
	// names as a fix and does not itself affect; "" when it names none.
	Fixed string
	// FixedOnBranch is false when a source says the installed version's
	// branch gets no fix (FriendsOfPHP "time: ~", OSV last_affected): Fixed
	// is then on a later branch, an upgrade across branches.
	FixedOnBranch bool
}

// Severity is the advisory's level in Drupal's five, "" when unrated.
func (f Finding) Severity() string { return f.Advisory.Severity }

// Check returns the advisories of the set that apply to version of pkg,
// most severe first, then by ID. A version Composer cannot read (or a named
// branch such as "dev-main", which no range contains) has no findings, and
// the error says why for the former.
func (s *Set) Check(pkg, version string) ([]Finding, error) {
	advs := s.byPackage[strings.ToLower(pkg)]
	if len(advs) == 0 {
		return nil, nil
	}
	v, err := composerver.ParseVersion(version)
	if err != nil {
		return nil, err
	}
	return s.check(strings.ToLower(pkg), version, v, advs), nil
}

func (s *Set) check(pkg, installed string, v composerver.Version, advs []*Advisory) []Finding {
	var out []Finding
	for _, a := range advs {
		f := Finding{Advisory: a, Package: pkg, Installed: installed, FixedOnBranch: true}
		for _, rg := range a.Ranges {
			if rg.Package == pkg && rg.constraint.Matches(v) {
				f.Matched = append(f.Matched, rg)
				if rg.Fixed == "" {
					f.FixedOnBranch = false
				}
			}
		}
		if len(f.Matched) == 0 {
			continue
		}
		var best composerver.Version
		for _, rg := range a.Ranges {
			if rg.Package != pkg || rg.Fixed == "" || composerver.Compare(rg.fixed, v) <= 0 {
				continue
			}
			if affects(a, pkg, rg.fixed) {
				continue
			}
			if f.Fixed == "" || composerver.Compare(rg.fixed, best) < 0 {
				f.Fixed, best = rg.Fixed, rg.fixed
			}
		}
		if f.Fixed == "" {
			f.FixedOnBranch = false
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b Finding) int {
		if d := severityRank(b.Severity()) - severityRank(a.Severity()); d != 0 {
			return d
		}
		return strings.Compare(a.Advisory.ID, b.Advisory.ID)
	})
	return out
}

func affects(a *Advisory, pkg string, v composerver.Version) bool {
	for _, rg := range a.Ranges {
		if rg.Package == pkg && rg.constraint.Matches(v) {
			return true
		}
	}
	return false
}

func severityRank(s string) int {
	switch s {
	case fleetwatch.SeverityHighlyCritical:
		return 5
	case fleetwatch.SeverityCritical:
		return 4
	case fleetwatch.SeverityModeratelyCritical:
		return 3
	case fleetwatch.SeverityLessCritical:
		return 2
	case fleetwatch.SeverityNotCritical:
		return 1
	}
	return 0
}
