package packagist

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// MaxAdvisoryFileBytes is the largest advisory file ReadFS reads.
const MaxAdvisoryFileBytes = 4 << 20

// Set is a merged collection of library advisories, indexed by package for
// Check. The zero value is not usable; make one with NewSet.
type Set struct {
	advisories []*Advisory
	byID       map[string]*Advisory // every CVE, GHSA and ID of each advisory
	byPackage  map[string][]*Advisory
}

// NewSet returns an empty set.
func NewSet() *Set {
	return &Set{byID: map[string]*Advisory{}, byPackage: map[string][]*Advisory{}}
}

// Add merges a into the set: an advisory sharing a CVE or GHSA id with one
// already there is the same advisory told by another source, and the two
// become one: ids, sources and ranges are joined (a version is affected
// when any source says so), GitHub's title, link and CVSS are kept over
// FriendsOfPHP's, and the earliest date is kept.
func (s *Set) Add(a Advisory) {
	var into *Advisory
	for _, id := range a.ids() {
		if x := s.byID[id]; x != nil {
			into = x
			break
		}
	}
	if into == nil {
		c := a
		into = &c
		s.advisories = append(s.advisories, into)
	} else {
		into.merge(a)
	}
	for _, id := range into.ids() {
		s.byID[id] = into
	}
	for _, rg := range a.Ranges {
		if !slices.Contains(s.byPackage[rg.Package], into) {
			s.byPackage[rg.Package] = append(s.byPackage[rg.Package], into)
		}
	}
}

func (a *Advisory) ids() []string {
	return append(append([]string{a.ID}, a.CVEs...), a.GHSAs...)
}

func (a *Advisory) merge(b Advisory) {
	fromGitHub := slices.Contains(b.Sources, SourceGHSA) && !slices.Contains(a.Sources, SourceGHSA)
	a.CVEs = append(a.CVEs, b.CVEs...)
	a.GHSAs = append(a.GHSAs, b.GHSAs...)
	a.Sources = append(a.Sources, b.Sources...)
	a.Ranges = append(a.Ranges, b.Ranges...)
	if fromGitHub || a.Title == "" {
		a.Title = cmp.Or(b.Title, a.Title)
	}
	if fromGitHub || a.URL == "" {
		a.URL = cmp.Or(b.URL, a.URL)
	}
	if b.CVSSScore >= 0 && (a.CVSSScore < 0 || fromGitHub) {
		a.CVSS, a.CVSSScore = b.CVSS, b.CVSSScore
	}
	a.GitHubSeverity = cmp.Or(a.GitHubSeverity, b.GitHubSeverity)
	if !b.Published.IsZero() && (a.Published.IsZero() || b.Published.Before(a.Published)) {
		a.Published = b.Published
	}
	a.finish(a.ID)
}

// Advisories returns the merged advisories, ordered by ID.
func (s *Set) Advisories() []*Advisory {
	out := slices.Clone(s.advisories)
	slices.SortFunc(out, func(a, b *Advisory) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// Packages returns the packages the set has advisories for, sorted.
func (s *Set) Packages() []string {
	out := make([]string, 0, len(s.byPackage))
	for p := range s.byPackage {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// ReadFS reads every advisory file under fsys in a mirror of the two
// databases, in any layout: OSV JSON (.json) and FriendsOfPHP YAML
// (.yaml, .yml). Files of Drupal projects (drupal.org's listings, the
// Drupal Security Team's OSV, drupal/* entries) are left to package drupal
// and skipped silently, as are withdrawn entries; files that cannot be parsed are skipped and
// returned in skipped. err is set only when the tree cannot be walked.
func ReadFS(fsys fs.FS) (set *Set, skipped []error, err error) {
	set = NewSet()
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		isJSON := strings.HasSuffix(p, ".json")
		isYAML := strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")
		if d.IsDir() || (!isJSON && !isYAML) {
			return nil
		}
		if info, err := d.Info(); err == nil && info.Size() > MaxAdvisoryFileBytes {
			skipped = append(skipped, fmt.Errorf("%s: larger than %d bytes", p, MaxAdvisoryFileBytes))
			return nil
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		var a Advisory
		if isYAML {
			a, err = ParseFriendsOfPHP(bytes.NewReader(body), p)
		} else if isDrupalJSON(body) {
			return nil
		} else {
			a, err = ParseOSV(bytes.NewReader(body))
		}
		switch {
		case errors.Is(err, ErrNotLibrary), errors.Is(err, ErrWithdrawn):
		case err != nil:
			skipped = append(skipped, fmt.Errorf("%s: %w", p, err))
		default:
			set.Add(a)
		}
		return nil
	})
	if err != nil {
		return nil, skipped, fmt.Errorf("read advisory mirror: %w", err)
	}
	return set, skipped, nil
}

// isDrupalJSON reports whether a .json file is one of drupal.org's own
// formats: an api-d7 listing, or a Drupal Security Team OSV entry.
func isDrupalJSON(body []byte) bool {
	var probe struct {
		List json.RawMessage `json:"list"`
		ID   string          `json:"id"`
	}
	if json.Unmarshal(body, &probe) != nil {
		return false
	}
	return probe.List != nil || strings.HasPrefix(strings.ToUpper(probe.ID), "DRUPAL-")
}
