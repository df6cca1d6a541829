package service

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/composerver"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/packagist"
)

// libraryNoAdvisory is the reason of a library no advisory applies to:
// drupal.org publishes no release history of PHP libraries, so Fleetwatch
// knows whether a version is vulnerable, not whether it is the latest.
const libraryNoAdvisory = "Fleetwatch judges PHP libraries by their security advisories only: none applies to this version."

// libraryAdvisories are the compiled advisories of one library as the
// analysis keeps them between pushes: read again only when the store's
// digest of them changes, and with the findings of each version checked.
type libraryAdvisories struct {
	digest string
	set    *packagist.Set

	mu      sync.Mutex
	checked map[string]libraryCheck // by version, at most maxEvaluated
}

type libraryCheck struct {
	findings []packagist.Finding
	err      error
}

// check returns the advisories of the set that apply to version, once
// per version.
func (l *libraryAdvisories) check(pkg, version string) ([]packagist.Finding, error) {
	l.mu.Lock()
	c, ok := l.checked[version]
	l.mu.Unlock()
	if ok {
		return c.findings, c.err
	}
	c.findings, c.err = l.set.Check(pkg, version)
	l.mu.Lock()
	if len(l.checked) < maxEvaluated {
		l.checked[version] = c
	}
	l.mu.Unlock()
	return c.findings, c.err
}

// libraries returns the advisories of the PHP libraries among projects
// (name → source) that have any, reading the stored ones only for the
// libraries whose advisories changed since they were last read.
func (a *Analysis) libraries(ctx context.Context, projects map[string]string) (map[string]*libraryAdvisories, error) {
	var names []string
	for p, source := range projects {
		if source == fleetwatch.SourcePackagist {
			names = append(names, p)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	heads, err := a.Store.FindLibraryAdvisoryHeads(ctx, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*libraryAdvisories, len(heads))
	var stale []string
	a.mu.Lock()
	for pkg, digest := range heads {
		if l := a.libs[pkg]; l != nil && l.digest == digest {
			out[pkg] = l
		} else {
			stale = append(stale, pkg)
		}
	}
	a.mu.Unlock()
	if len(stale) == 0 {
		return out, nil
	}
	advs, err := a.Store.FindLibraryAdvisories(ctx, stale)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, pkg := range stale {
		set := packagist.NewSet()
		for _, adv := range advs[pkg] {
			set.Add(*adv)
		}
		l := &libraryAdvisories{digest: heads[pkg], set: set, checked: map[string]libraryCheck{}}
		a.libs[pkg], out[pkg] = l, l
	}
	return out, nil
}

// analyzeLibrary judges an installed PHP library by its advisories (nil
// when it has none): not secure when any applies, with the exposure
// to open — the most severe advisory's severity, the earliest publication,
// and the versions that fix each — else unknown, as drupal.org has no
// release history to say whether it is current.
func (a *Analysis) analyzeLibrary(ctx context.Context, in *fleetwatch.Install, advs *libraryAdvisories, at time.Time,
	policies func(context.Context, int64) (fleetwatch.SLAPolicy, error)) (*fleetwatch.ModuleVerdict, error) {
	an := &fleetwatch.ModuleVerdict{SiteID: in.SiteID, ModuleID: in.ModuleID, VersionID: in.VersionID,
		Status: string(drupal.StatusUnknown)}
	var findings []packagist.Finding
	if advs != nil {
		var err error
		if findings, err = advs.check(in.Project, in.Version); err != nil {
			an.Reasons = append(an.Reasons, fmt.Sprintf("Composer cannot read the version %q, so no advisory range can contain it.", in.Version))
		}
	}
	if len(findings) == 0 {
		an.Reasons = append(an.Reasons, libraryNoAdvisory)
		return an, nil
	}
	an.Status, an.UpdateAvailable, an.SecurityUpdate = string(drupal.StatusNotSecure), true, true
	var advisories, fixedBy []string
	var published *time.Time
	var best composerver.Version
	fixesAll := true
	for _, f := range findings {
		if fleetwatch.SeverityRank(f.Severity()) > fleetwatch.SeverityRank(an.Severity) {
			an.Severity = f.Severity()
		}
		advisories = appendUnique(advisories, f.Advisory.ID)
		if p := f.Advisory.Published; !p.IsZero() && (published == nil || p.Before(*published)) {
			p = p.UTC()
			published = &p
		}
		an.Reasons = append(an.Reasons, libraryReason(f))
		if f.Fixed == "" {
			fixesAll = false
			continue
		}
		fixedBy = appendUnique(fixedBy, f.Fixed)
		if v, err := composerver.ParseVersion(f.Fixed); err == nil && (an.RecommendedVersion == "" || composerver.Compare(v, best) > 0) {
			an.RecommendedVersion, best = f.Fixed, v
		}
	}
	if !fixesAll {
		// No single version is known to fix every advisory.
		an.RecommendedVersion = ""
	}
	an.SecurityUpdates = fixedBy
	an.LatestVersion = an.RecommendedVersion
	return an, a.expose(ctx, an, in, advisories, fixedBy, published, at, policies)
}

// libraryReason says why one advisory applies: its ids, title and fix.
func libraryReason(f packagist.Finding) string {
	ids := append([]string{f.Advisory.ID}, f.Advisory.CVEs...)
	var b strings.Builder
	b.WriteString(strings.Join(unique(ids), ", "))
	if f.Advisory.Title != "" {
		b.WriteString(": " + strings.TrimSuffix(f.Advisory.Title, "."))
	}
	ranges := make([]string, 0, len(f.Matched))
	for _, r := range f.Matched {
		ranges = append(ranges, r.Affected)
	}
	fmt.Fprintf(&b, ". %s %s is in the affected range %s", f.Package, f.Installed, strings.Join(unique(ranges), " and "))
	switch {
	case f.Fixed == "":
		b.WriteString("; no fixed version is published.")
	case f.FixedOnBranch:
		fmt.Fprintf(&b, "; fixed in %s.", f.Fixed)
	default:
		fmt.Fprintf(&b, "; this branch gets no fix: fixed in %s, on a later branch.", f.Fixed)
	}
	return b.String()
}

// unique returns s without repeats, in order.
func unique(s []string) []string {
	var out []string
	for _, v := range s {
		out = appendUnique(out, v)
	}
	return out
}
