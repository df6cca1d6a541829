package service

import (
	"context"
	"fmt"
	"slices"
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
// digest of them changes, with the judgement of each version made once.
type libraryAdvisories struct {
	digest string
	set    *packagist.Set

	mu     sync.Mutex
	judged map[string]*libraryJudgement // by version, at most maxEvaluated
}

// libraryJudgement is what the advisories say of one version of a library:
// the verdict's fields, and the advisories, fixes and date of the exposure
// it opens when not secure. It is only read once made.
type libraryJudgement struct {
	verdict    fleetwatch.ModuleVerdict // without the site, module and version ids
	advisories []string
	fixedBy    []string
	published  *time.Time
}

// noLibraryAdvisory is the judgement of a library no advisory names.
var noLibraryAdvisory = &libraryJudgement{verdict: fleetwatch.ModuleVerdict{Status: string(drupal.StatusUnknown),
	Reasons: []string{libraryNoAdvisory}}}

// judge returns the judgement of version of the library pkg, once per
// version.
func (l *libraryAdvisories) judge(pkg, version string) *libraryJudgement {
	if l == nil {
		return noLibraryAdvisory
	}
	l.mu.Lock()
	j, ok := l.judged[version]
	l.mu.Unlock()
	if ok {
		return j
	}
	findings, err := l.set.Check(pkg, version)
	j = judgeLibrary(version, findings, err)
	l.mu.Lock()
	if len(l.judged) < maxEvaluated {
		l.judged[version] = j
	}
	l.mu.Unlock()
	return j
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
		l := &libraryAdvisories{digest: heads[pkg], set: set, judged: map[string]*libraryJudgement{}}
		a.libs[pkg], out[pkg] = l, l
	}
	return out, nil
}

// analyzeLibrary judges an installed PHP library by its advisories (nil
// when it has none), and gives a verdict that is not secure the exposure
// it opens.
func (a *Analysis) analyzeLibrary(ctx context.Context, in *fleetwatch.Install, advs *libraryAdvisories, at time.Time,
	policies func(context.Context, int64) (fleetwatch.SLAPolicy, error)) (*fleetwatch.ModuleVerdict, error) {
	j := advs.judge(in.Project, in.Version)
	an := j.verdict
	an.SiteID, an.ModuleID, an.VersionID = in.SiteID, in.ModuleID, in.VersionID
	if !an.SecurityUpdate {
		return &an, nil
	}
	return &an, a.expose(ctx, &an, in, j.advisories, j.fixedBy, j.published, at, policies)
}

// judgeLibrary is the judgement of a library version by the advisories
// that apply to it (err: Composer cannot read the version): not secure when
// any applies — the most severe advisory's severity, one reason per
// advisory, the earliest publication, the versions that fix each and, when
// every advisory has a fix, the highest as the recommended version — else
// unknown, as there is no release history to say whether it is current.
func judgeLibrary(version string, findings []packagist.Finding, err error) *libraryJudgement {
	j := &libraryJudgement{verdict: fleetwatch.ModuleVerdict{Status: string(drupal.StatusUnknown)}}
	an := &j.verdict
	if err != nil {
		an.Reasons = append(an.Reasons, fmt.Sprintf("Composer cannot read the version %q, so no advisory range can contain it.", version))
	}
	if len(findings) == 0 {
		an.Reasons = append(an.Reasons, libraryNoAdvisory)
		return j
	}
	an.Status, an.UpdateAvailable, an.SecurityUpdate = string(drupal.StatusNotSecure), true, true
	var best composerver.Version
	fixesAll := true
	for _, f := range findings {
		if fleetwatch.SeverityRank(f.Severity()) > fleetwatch.SeverityRank(an.Severity) {
			an.Severity = f.Severity()
		}
		j.advisories = appendUnique(j.advisories, f.Advisory.ID)
		if p := f.Advisory.Published; !p.IsZero() && (j.published == nil || p.Before(*j.published)) {
			p = p.UTC()
			j.published = &p
		}
		an.Reasons = append(an.Reasons, libraryReason(f))
		if f.Fixed == "" {
			fixesAll = false
			continue
		}
		j.fixedBy = appendUnique(j.fixedBy, f.Fixed)
		if v, err := composerver.ParseVersion(f.Fixed); err == nil && (an.RecommendedVersion == "" || composerver.Compare(v, best) > 0) {
			an.RecommendedVersion, best = f.Fixed, v
		}
	}
	if !fixesAll {
		// No single version is known to fix every advisory.
		an.RecommendedVersion = ""
	}
	an.SecurityUpdates = j.fixedBy
	an.LatestVersion = an.RecommendedVersion
	return j
}

// libraryReason says why one advisory applies: its ids, title, the
// affected range the version is in, and the fix.
func libraryReason(f packagist.Finding) string {
	var b strings.Builder
	b.WriteString(f.Advisory.ID)
	if cves := slices.DeleteFunc(slices.Clone(f.Advisory.CVEs), func(c string) bool { return c == f.Advisory.ID }); len(cves) > 0 {
		b.WriteString(" (" + strings.Join(cves, ", ") + ")")
	}
	if f.Advisory.Title != "" {
		b.WriteString(": " + strings.TrimSuffix(f.Advisory.Title, "."))
	}
	ranges := make([]string, 0, len(f.Matched))
	for _, r := range f.Matched {
		ranges = append(ranges, r.Affected)
	}
	b.WriteString(". Affected: " + strings.Join(unique(ranges), " and "))
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
