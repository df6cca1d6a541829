package service

import (
	"context"
	"fmt"
	"strings"
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

// libraries returns, for the PHP libraries among projects (name → source)
// that have advisories, the set of them to judge versions against.
func (a *Analysis) libraries(ctx context.Context, projects map[string]string) (map[string]*packagist.Set, error) {
	var names []string
	for p, source := range projects {
		if source == fleetwatch.SourcePackagist {
			names = append(names, p)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	advs, err := a.Store.FindLibraryAdvisories(ctx, names)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*packagist.Set, len(advs))
	for pkg, as := range advs {
		set := packagist.NewSet()
		for _, adv := range as {
			set.Add(*adv)
		}
		out[pkg] = set
	}
	return out, nil
}

// analyzeLibrary judges an installed PHP library by the advisories of set
// (nil when it has none): not secure when any applies, with the exposure
// to open — the most severe advisory's severity, the earliest publication,
// and the versions that fix each — else unknown, as drupal.org has no
// release history to say whether it is current.
func (a *Analysis) analyzeLibrary(ctx context.Context, in *fleetwatch.Install, set *packagist.Set, at time.Time,
	policies func(context.Context, int64) (fleetwatch.SLAPolicy, error)) (*fleetwatch.ModuleVerdict, error) {
	an := &fleetwatch.ModuleVerdict{SiteID: in.SiteID, ModuleID: in.ModuleID, VersionID: in.VersionID,
		Status: string(drupal.StatusUnknown)}
	var findings []packagist.Finding
	if set != nil {
		var err error
		if findings, err = set.Check(in.Project, in.Version); err != nil {
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
