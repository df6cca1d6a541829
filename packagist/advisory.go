package packagist

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fleetwatch/fleetwatch/composerver"
)

// ErrInvalidAdvisory is wrapped by the errors of the advisory parsers for
// input that is not advisory data of the expected format.
var ErrInvalidAdvisory = errors.New("invalid library security advisory")

// ErrWithdrawn is wrapped when an OSV entry has been withdrawn by its
// database; readers skip it.
var ErrWithdrawn = errors.New("advisory withdrawn")

// ErrNotLibrary is wrapped when an advisory is well formed but concerns no
// Packagist library (a drupal/* project, another ecosystem); readers skip
// such files.
var ErrNotLibrary = errors.New("advisory concerns no packagist library")

// Sources of advisories.
const (
	SourceGHSA         = "ghsa"
	SourceFriendsOfPHP = "friendsofphp"
)

// Advisory is one security advisory of PHP libraries, from one source or
// merged from several (Sources).
type Advisory struct {
	// ID is the GHSA id when one is known, else the CVE, else the
	// FriendsOfPHP file ("friendsofphp:vendor/package/2017-03-01").
	ID string
	// CVEs and GHSAs are the advisory's ids of each kind, sorted.
	CVEs, GHSAs []string
	// Title is the advisory's title or summary.
	Title string
	// URL is the advisory's page: GitHub's for a GHSA, else the link given.
	URL string
	// CVSS is the CVSS v3 vector when published, CVSSScore its base score
	// (-1 when there is no v3 vector).
	CVSS      string
	CVSSScore float64
	// GitHubSeverity is GitHub's own level (LOW, MODERATE, HIGH, CRITICAL).
	GitHubSeverity string
	// Severity is the level in Drupal's five (fleetwatch.Severity*), from
	// the CVSS v3 score, else GitHub's level; "" when no source rates it.
	Severity string
	// Published is the earliest publication or fix date known.
	Published time.Time
	// Sources names the sources merged in (SourceGHSA, SourceFriendsOfPHP).
	Sources []string
	// Ranges are the affected ranges, by package.
	Ranges []Range
}

// Range is one affected range of one package: a FriendsOfPHP branch or a
// GHSA range.
type Range struct {
	// Package is the composer name ("guzzlehttp/guzzle").
	Package string
	// Branch is FriendsOfPHP's branch name ("6.x"), "" for a GHSA range.
	Branch string
	// Affected is the Composer constraint of the affected versions
	// (">=7,<7.4.5").
	Affected string
	// Fixed is the version that ends the range with a fix ("7.4.5"); "" when
	// the source says the range has no fix (FriendsOfPHP "time: ~", OSV
	// last_affected or an open range).
	Fixed string
	// Source is the source of the range.
	Source string

	constraint composerver.Constraint
	fixed      composerver.Version
}

func (r *Range) compile() error {
	c, err := composerver.Parse(r.Affected)
	if err != nil {
		return fmt.Errorf("%w: %s range %q: %w", ErrInvalidAdvisory, r.Package, r.Affected, err)
	}
	r.constraint = c
	if r.Fixed != "" {
		if r.fixed, err = composerver.ParseVersion(r.Fixed); err != nil {
			return fmt.Errorf("%w: %s fixed version %q: %w", ErrInvalidAdvisory, r.Package, r.Fixed, err)
		}
	}
	return nil
}

var (
	ghsaPattern = regexp.MustCompile(`GHSA(-[23456789cfghjmpqrvwx]{4}){3}`)
	cvePattern  = regexp.MustCompile(`^CVE-\d{4}-\d{4,}$`)
)

// canonicalID spells an advisory id as its database does: "CVE-2024-1234",
// "GHSA-xxxx-xxxx-xxxx" (lower-case after the prefix).
func canonicalID(id string) string {
	id = strings.TrimSpace(id)
	if len(id) > 5 && strings.EqualFold(id[:5], "GHSA-") {
		return "GHSA-" + strings.ToLower(id[5:])
	}
	return strings.ToUpper(id)
}

// isLibrary reports whether a composer name is a Packagist library, not a
// Drupal project.
func isLibrary(name string) bool {
	return validName(name) && !strings.HasPrefix(name, "drupal/")
}

// ParseOSV parses one GitHub Advisory Database entry (OSV JSON) of the
// Packagist ecosystem. Ranges of other ecosystems and of drupal/* are
// left out; an entry with none left is an error wrapping ErrNotLibrary.
// Errors wrap ErrInvalidAdvisory.
func ParseOSV(r io.Reader) (Advisory, error) {
	var doc struct {
		ID        string   `json:"id"`
		Published string   `json:"published"`
		Withdrawn string   `json:"withdrawn"`
		Aliases   []string `json:"aliases"`
		Summary   string   `json:"summary"`
		Severity  []struct {
			Type  string `json:"type"`
			Score string `json:"score"`
		} `json:"severity"`
		Affected []struct {
			Package struct {
				Ecosystem string `json:"ecosystem"`
				Name      string `json:"name"`
			} `json:"package"`
			Ranges []struct {
				Type   string              `json:"type"`
				Events []map[string]string `json:"events"`
			} `json:"ranges"`
		} `json:"affected"`
		DatabaseSpecific struct {
			Severity string `json:"severity"`
		} `json:"database_specific"`
	}
	if err := json.NewDecoder(io.LimitReader(r, 4<<20)).Decode(&doc); err != nil {
		return Advisory{}, fmt.Errorf("%w: osv: %v", ErrInvalidAdvisory, err)
	}
	id := canonicalID(doc.ID)
	if id == "" {
		return Advisory{}, fmt.Errorf("%w: osv entry without id", ErrInvalidAdvisory)
	}
	if doc.Withdrawn != "" {
		return Advisory{}, fmt.Errorf("%w: %s on %s", ErrWithdrawn, id, clip(doc.Withdrawn))
	}
	a := Advisory{Title: strings.TrimSpace(doc.Summary), CVSSScore: -1, Sources: []string{SourceGHSA}}
	if ghsaPattern.MatchString(id) {
		a.GHSAs = append(a.GHSAs, ghsaPattern.FindString(id))
		a.URL = "https://github.com/advisories/" + a.GHSAs[0]
	}
	for _, alias := range doc.Aliases {
		alias = canonicalID(alias)
		switch {
		case cvePattern.MatchString(alias):
			a.CVEs = append(a.CVEs, alias)
		case ghsaPattern.MatchString(alias) && ghsaPattern.FindString(alias) == alias:
			a.GHSAs = append(a.GHSAs, alias)
		}
	}
	for _, s := range doc.Severity {
		if s.Type == "CVSS_V3" {
			if score, err := CVSS3Score(s.Score); err == nil {
				a.CVSS, a.CVSSScore = s.Score, score
			}
		}
	}
	a.GitHubSeverity = strings.ToUpper(doc.DatabaseSpecific.Severity)
	if t, err := time.Parse(time.RFC3339, doc.Published); err == nil {
		a.Published = t.UTC()
	}
	for _, aff := range doc.Affected {
		name := strings.ToLower(aff.Package.Name)
		if aff.Package.Ecosystem != "Packagist" || !isLibrary(name) {
			continue
		}
		for _, rg := range aff.Ranges {
			if rg.Type != "ECOSYSTEM" && rg.Type != "SEMVER" {
				continue
			}
			a.Ranges = append(a.Ranges, osvRanges(name, rg.Events)...)
		}
	}
	if len(a.Ranges) == 0 {
		return Advisory{}, fmt.Errorf("%w: %s", ErrNotLibrary, id)
	}
	a.finish(id)
	return a, a.compile()
}

// osvRanges turns OSV events into ranges: introduced X, then fixed Y
// (X <= v < Y, fixed by Y), last_affected Y (X <= v <= Y, no fix) or
// nothing (X <= v, no fix). "0" is the first release.
func osvRanges(pkg string, events []map[string]string) []Range {
	var out []Range
	var low string
	open := false
	lower := func() string {
		if low == "" || low == "0" {
			return ""
		}
		return ">=" + low
	}
	join := func(parts ...string) string {
		var keep []string
		for _, p := range parts {
			if p != "" {
				keep = append(keep, p)
			}
		}
		if len(keep) == 0 {
			return "*"
		}
		return strings.Join(keep, ",")
	}
	for _, ev := range events {
		switch {
		case ev["introduced"] != "":
			low, open = strings.TrimSpace(ev["introduced"]), true
		case ev["fixed"] != "" && open:
			f := strings.TrimSpace(ev["fixed"])
			out = append(out, Range{Package: pkg, Affected: join(lower(), "<"+f), Fixed: f, Source: SourceGHSA})
			open = false
		case ev["last_affected"] != "" && open:
			out = append(out, Range{Package: pkg, Affected: join(lower(), "<="+strings.TrimSpace(ev["last_affected"])), Source: SourceGHSA})
			open = false
		}
	}
	if open {
		out = append(out, Range{Package: pkg, Affected: join(lower()), Source: SourceGHSA})
	}
	return out
}

// ParseFriendsOfPHP parses one FriendsOfPHP security-advisories entry
// (vendor/package/ID.yaml). file is its path in the database, whose stem
// names the advisory when it has no CVE. Each branch is a range: affected
// when a version meets all of its constraints, fixed by its "<" bound when
// the branch has a fix time ("time: ~" is a branch with no fix). An entry
// of a drupal/* project is an error wrapping ErrNotLibrary. Errors wrap
// ErrInvalidAdvisory.
func ParseFriendsOfPHP(r io.Reader, file string) (Advisory, error) {
	var doc struct {
		Title     string `yaml:"title"`
		Link      string `yaml:"link"`
		CVE       string `yaml:"cve"`
		Reference string `yaml:"reference"`
		Branches  map[string]struct {
			Time     any      `yaml:"time"`
			Versions []string `yaml:"versions"`
		} `yaml:"branches"`
	}
	if err := yaml.NewDecoder(io.LimitReader(r, 1<<20)).Decode(&doc); err != nil {
		return Advisory{}, fmt.Errorf("%w: friendsofphp %s: %v", ErrInvalidAdvisory, file, err)
	}
	pkg := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(doc.Reference), "composer://"))
	if strings.HasPrefix(pkg, "drupal/") {
		return Advisory{}, fmt.Errorf("%w: %s is a drupal project", ErrNotLibrary, pkg)
	}
	if !isLibrary(pkg) {
		return Advisory{}, fmt.Errorf("%w: friendsofphp %s: reference %q is not a composer package", ErrInvalidAdvisory, file, clip(doc.Reference))
	}
	a := Advisory{Title: strings.TrimSpace(doc.Title), URL: strings.TrimSpace(doc.Link), CVSSScore: -1, Sources: []string{SourceFriendsOfPHP}}
	if cve := canonicalID(doc.CVE); cvePattern.MatchString(cve) {
		a.CVEs = []string{cve}
	}
	if g := ghsaPattern.FindString(canonicalID(path.Base(a.URL))); g != "" {
		a.GHSAs = []string{g}
	}
	names := make([]string, 0, len(doc.Branches))
	for name := range doc.Branches {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		b := doc.Branches[name]
		rg := Range{Package: pkg, Branch: name, Source: SourceFriendsOfPHP}
		var parts []string
		var upper string
		for _, c := range b.Versions {
			c = strings.TrimSpace(c)
			parts = append(parts, c)
			if rest, ok := strings.CutPrefix(c, "<"); ok && !strings.HasPrefix(rest, "=") {
				upper = strings.TrimSpace(rest)
			}
		}
		if len(parts) == 0 {
			continue
		}
		rg.Affected = strings.Join(parts, ",")
		if fixedAt, ok := branchTime(b.Time); ok {
			rg.Fixed = upper
			if a.Published.IsZero() || fixedAt.Before(a.Published) {
				a.Published = fixedAt
			}
		}
		a.Ranges = append(a.Ranges, rg)
	}
	if len(a.Ranges) == 0 {
		return Advisory{}, fmt.Errorf("%w: friendsofphp %s has no branches", ErrInvalidAdvisory, file)
	}
	stem := strings.TrimSuffix(strings.TrimSuffix(path.Base(file), ".yaml"), ".yml")
	a.finish("friendsofphp:" + pkg + "/" + stem)
	return a, a.compile()
}

// branchTime reads a branch's fix time: a timestamp (YAML may decode it as
// a time or leave it a string); null means no fix.
func branchTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t.UTC(), true
	case string:
		for _, layout := range []string{time.DateTime, time.RFC3339, time.DateOnly} {
			if x, err := time.Parse(layout, strings.TrimSpace(t)); err == nil {
				return x.UTC(), true
			}
		}
		return time.Time{}, strings.TrimSpace(t) != ""
	}
	return time.Time{}, false
}

// finish sorts the ids, picks the advisory's ID and rates it.
func (a *Advisory) finish(fallback string) {
	slices.Sort(a.CVEs)
	a.CVEs = slices.Compact(a.CVEs)
	slices.Sort(a.GHSAs)
	a.GHSAs = slices.Compact(a.GHSAs)
	slices.Sort(a.Sources)
	a.Sources = slices.Compact(a.Sources)
	switch {
	case len(a.GHSAs) > 0:
		a.ID = a.GHSAs[0]
	case len(a.CVEs) > 0:
		a.ID = a.CVEs[0]
	default:
		a.ID = fallback
	}
	switch {
	case a.CVSSScore >= 0:
		a.Severity = SeverityForCVSS(a.CVSSScore)
	default:
		a.Severity = SeverityForGitHub(a.GitHubSeverity)
	}
}

func (a *Advisory) compile() error {
	for i := range a.Ranges {
		if err := a.Ranges[i].compile(); err != nil {
			return err
		}
	}
	return nil
}

// Compile readies an advisory decoded from its JSON form (as a store keeps
// it) for Set.Add and Check: it parses the constraint and fixed version of
// every range. Errors wrap ErrInvalidAdvisory.
func (a *Advisory) Compile() error { return a.compile() }
