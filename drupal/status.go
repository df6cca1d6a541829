package drupal

import (
	"fmt"
	"strings"
	"time"
)

// Status is an update status in Drupal's own vocabulary.
type Status string

// Update statuses. They mirror UpdateManagerInterface's CURRENT,
// NOT_CURRENT, NOT_SECURE, REVOKED and NOT_SUPPORTED; Drupal's UNKNOWN,
// NOT_CHECKED, NOT_FETCHED and FETCH_PENDING all become StatusUnknown.
const (
	StatusCurrent      Status = "current"
	StatusNotCurrent   Status = "not_current"
	StatusNotSecure    Status = "not_secure"
	StatusRevoked      Status = "revoked"
	StatusNotSupported Status = "not_supported"
	StatusUnknown      Status = "unknown"
)

// Sources of an installed project.
const (
	SourceDrupalOrg = "drupal.org"
	SourceCustom    = "custom"
)

// devDatestampLeeway is the slack Drupal allows between a dev snapshot's
// datestamp and the date of the release it was built from.
const devDatestampLeeway = 100

// Input is what Evaluate needs to decide one project's status on one site.
type Input struct {
	// Project is the parsed release history, nil when no feed is known.
	Project *Project
	// Installed is the installed version as reported (drupal.org or
	// composer form).
	Installed string
	// Datestamp is the build time (unix seconds) of a dev checkout; 0 when
	// unknown.
	Datestamp int64
	// Source is SourceDrupalOrg (the default when empty) or SourceCustom.
	Source string
	// CoreVersion is the site's Drupal core version. When set, releases
	// whose core_compatibility excludes it are reported in
	// Result.Incompatible.
	CoreVersion string
	// Now is the evaluation time, used for core security coverage dates;
	// the zero value means "unknown" and disables date-based coverage.
	Now time.Time
}

// Result is the update status of one installed project.
type Result struct {
	// Status is the decision.
	Status Status
	// Reasons explain the decision in plain English, most important first.
	Reasons []string
	// Installed is the installed version in drupal.org form; it equals
	// Input.Installed when that does not parse.
	Installed string
	// InstalledRelease is the feed's entry for the installed version, nil
	// when the feed has none.
	InstalledRelease *Release
	// ProjectStatus is the feed's project_status.
	ProjectStatus string
	// LatestVersion is the newest release of the target major, pre-releases
	// included ("Latest version" in Drupal's report).
	LatestVersion string
	// RecommendedVersion is the release Drupal recommends: the newest
	// stable release of the target major.
	RecommendedVersion string
	// DevVersion is the dev snapshot of the target major, if any.
	DevVersion string
	// SecurityUpdates are the security releases, newest first, between the
	// installed version and the newest release of the target major. They
	// may be in other minor branches than the installed release. Empty when
	// Status is current, as on Drupal's report.
	SecurityUpdates []Release
	// FixedBy lists the releases that fix a not_secure installation: the
	// security updates, or the recommended release when drupal.org marked
	// the installed release insecure without a later security release in
	// this major. Empty when the whole project is insecure.
	FixedBy []Release
	// AlsoAvailable lists the newest supported release of each higher
	// major, newest major first.
	AlsoAvailable []string
	// UpdateAvailable is true when Status is not_current or not_secure, or
	// when a revoked or unsupported installation has a supported successor.
	UpdateAvailable bool
	// SecurityUpdate is true exactly when Status is not_secure.
	SecurityUpdate bool
	// Incompatible lists the versions among RecommendedVersion,
	// LatestVersion, SecurityUpdates and AlsoAvailable whose
	// core_compatibility excludes Input.CoreVersion.
	Incompatible []string
	// Coverage is Drupal core's security coverage of the installed release;
	// nil for other projects, pre-releases and dev checkouts.
	Coverage *CoreCoverage
}

// Evaluate decides the update status of one installed project the way
// Drupal core's Update Status module does (update_calculate_project_update_status
// in Drupal 8–10, UpdateCalculator::updateProjectStatus in Drupal 11), with
// these Fleetwatch rules on top: custom projects, projects without a feed
// and dev checkouts that cannot be compared are unknown, never outdated or
// secure.
//
// Like Drupal, it relies on the feed order (see Project.Releases) and on
// drupal.org marking every release fixed by a later security release as
// Insecure: an installed release is not_secure only when it, or the whole
// project, is marked insecure. A security release in another branch, or one
// newer than a dev checkout, is listed in SecurityUpdates but makes the
// status not_current.
func Evaluate(in Input) Result {
	e := evaluation{in: in, res: Result{Installed: in.Installed}}
	e.run()
	e.finish()
	return e.res
}

type evaluation struct {
	in  Input
	res Result
	v   Version

	recommended, latest, dev *Release
	also                     map[int]bool
}

func (e *evaluation) reason(format string, args ...any) {
	e.res.Reasons = append(e.res.Reasons, fmt.Sprintf(format, args...))
}

func (e *evaluation) unknown(format string, args ...any) {
	e.res.Status = StatusUnknown
	e.reason(format, args...)
}

func (e *evaluation) run() {
	in := e.in
	if in.Source == SourceCustom {
		e.unknown("This is a custom project, not hosted on drupal.org, so it is not checked for updates.")
		return
	}
	if in.Source != "" && in.Source != SourceDrupalOrg {
		e.unknown("The project source %q is not drupal.org, so it is not checked for updates.", clip(in.Source))
		return
	}
	p := in.Project
	if p == nil {
		e.unknown("No release history is available for this project, so its update status is unknown.")
		return
	}
	e.res.ProjectStatus = p.Status
	if e.projectStatus(p.Status) {
		return
	}
	if strings.TrimSpace(in.Installed) == "" {
		e.unknown("The installed version is empty, so it cannot be compared with drupal.org releases.")
		return
	}
	v, err := Parse(in.Installed)
	if err != nil {
		e.unknown("The installed version %q is not a valid Drupal version, so it cannot be compared with drupal.org releases.", clip(in.Installed))
		return
	}
	if v.FeatureBranch != "" {
		e.res.Installed = v.String()
		e.unknown("The installed code is a checkout of the development branch %q, which has no drupal.org releases to compare with.", clip(v.FeatureBranch))
		return
	}
	e.v = v
	e.res.Installed = v.String()
	e.scan(p)
}

// projectStatus applies a project-wide project_status and reports whether
// that decided the status.
func (e *evaluation) projectStatus(status string) bool {
	switch status {
	case ProjectInsecure:
		e.res.Status = StatusNotSecure
		e.reason("This project has been labeled insecure by the Drupal security team and is no longer available for download; uninstalling everything it includes is strongly recommended.")
	case ProjectUnpublished, ProjectRevoked:
		e.res.Status = StatusRevoked
		e.reason("This project has been revoked and is no longer available for download; uninstalling everything it includes is strongly recommended.")
	case ProjectUnsupported:
		e.res.Status = StatusNotSupported
		e.reason("This project is no longer supported and is no longer available for download; uninstalling everything it includes is strongly recommended.")
	default:
		return false
	}
	return true
}

// scan is the heart of Drupal's algorithm: pick the target major, then walk
// the releases newest first down to the installed one.
func (e *evaluation) scan(p *Project) {
	existing := e.v.String()
	installType := "official"
	if e.v.IsDev {
		installType = "dev"
	}
	inSupported := func(v Version) bool {
		for _, b := range p.SupportedBranches {
			if v.InBranch(b) {
				return true
			}
		}
		return false
	}

	existingMajor := e.v.Major
	targetMajor := existingMajor
	var status Status
	if !inSupported(e.v) && len(p.SupportedBranches) > 0 {
		status = StatusNotSupported
		for _, b := range p.SupportedBranches {
			if bv, err := Parse(b + "0"); err == nil && strings.HasSuffix(b, ".") {
				targetMajor = bv.Major
				break
			}
		}
		e.reason("The installed release is not in a branch the maintainers support (supported branches: %s).", strings.Join(p.SupportedBranches, ", "))
	}
	// Never recommend a downgrade.
	targetMajor = max(targetMajor, existingMajor)

	if len(p.Releases) == 0 {
		e.unknown("No available releases found in the project's release history.")
		return
	}

	var (
		recommendedWithoutExtra string
		recommendedCandidate    *Release
		releaseIsSupported      bool
	)
	e.also = map[int]bool{}
	for i := range p.Releases {
		rel := &p.Releases[i]
		rv, err := Parse(rel.Version)
		if err != nil || rv.FeatureBranch != "" {
			continue
		}
		version := rv.String()
		releaseIsSupported = inSupported(rv) && !rel.IsUnsupported()
		if version == existing {
			e.res.InstalledRelease = rel
			switch {
			case rel.IsInsecure():
				status = StatusNotSecure
				e.reason("drupal.org marks the installed release %s as insecure.", version)
			case !rel.IsPublished():
				status = StatusRevoked
				e.reason("The installed release %s has been revoked and is no longer available for download; uninstalling it or upgrading is strongly recommended.", version)
			case !releaseIsSupported:
				status = StatusNotSupported
				e.reason("The installed release %s is no longer supported and is no longer available for download.", version)
			}
		} else if !rel.IsPublished() || !releaseIsSupported || rel.IsInsecure() {
			continue
		} else if rel.Date.IsZero() && rv.Extra == "dev" {
			// Stub dev releases without a date are not real releases.
			continue
		}

		if rv.Major > targetMajor {
			if !e.also[rv.Major] {
				e.also[rv.Major] = true
				e.res.AlsoAvailable = append(e.res.AlsoAvailable, version)
			}
			// A release of a higher major cannot matter otherwise: a
			// maintainer who fixes a vulnerability only there must drop
			// support for the lower major at the same time.
			continue
		}
		if e.latest == nil && rv.Major == targetMajor {
			e.latest = rel
		}
		if e.dev == nil && rv.Major == targetMajor && rv.Extra == "dev" {
			e.dev = rel
		}
		if e.recommended == nil && rv.Major == targetMajor && releaseIsSupported {
			if w := rv.WithoutExtra(); w != recommendedWithoutExtra {
				recommendedWithoutExtra = w
				recommendedCandidate = rel
			}
			if rv.Extra == "" {
				e.recommended = recommendedCandidate
			}
		}
		if version == existing {
			break
		}
		if installType == "dev" {
			if e.in.Datestamp == 0 {
				// Without a build date nothing can be said to be newer.
				continue
			}
			if !rel.Date.IsZero() && e.in.Datestamp+devDatestampLeeway > rel.Date.Unix() {
				continue
			}
		}
		if rel.IsSecurityRelease() {
			e.res.SecurityUpdates = append(e.res.SecurityUpdates, *rel)
		}
	}
	// Drupal tests the support of the last release it looked at here, not of
	// the latest release; kept for identical outcomes.
	if e.recommended == nil && e.latest != nil && releaseIsSupported {
		e.recommended = e.latest
	}
	e.record()

	if status != "" {
		e.res.Status = status
		return
	}
	if e.recommended == nil {
		e.unknown("No available releases found for the installed major version.")
		return
	}
	switch installType {
	case "official":
		if existing == e.res.RecommendedVersion || existing == e.res.LatestVersion {
			e.res.Status = StatusCurrent
			e.reason("The installed release %s is the recommended or latest release.", existing)
		} else {
			e.res.Status = StatusNotCurrent
			e.reason("A newer release, %s, is available.", e.res.RecommendedVersion)
		}
	case "dev":
		latestDev := e.latest
		if e.dev != nil && e.dev.Date.After(e.latest.Date) {
			latestDev = e.dev
		}
		switch {
		case e.in.Datestamp == 0:
			e.unknown("The installed code is a development snapshot (%s) without a build date, so it cannot be compared with releases.", existing)
		case e.in.Datestamp+devDatestampLeeway > latestDev.Date.Unix():
			e.res.Status = StatusCurrent
			e.reason("The installed development snapshot is newer than the latest release, %s.", latestDev.Version)
		default:
			e.res.Status = StatusNotCurrent
			e.reason("The installed development snapshot is older than %s.", latestDev.Version)
		}
	}
}

// record copies the scan's findings into the result.
func (e *evaluation) record() {
	if e.recommended != nil {
		e.res.RecommendedVersion = canonical(e.recommended.Version)
	}
	if e.latest != nil {
		e.res.LatestVersion = canonical(e.latest.Version)
	}
	if e.dev != nil {
		e.res.DevVersion = canonical(e.dev.Version)
	}
}

// finish derives the flags and the explanations that hold for every status.
func (e *evaluation) finish() {
	r := &e.res
	r.SecurityUpdate = r.Status == StatusNotSecure
	if r.Status == StatusCurrent {
		// Drupal's report shows security updates only for projects that are
		// not current: a current release (8.1.2) is not behind a security
		// release of a newer minor (8.2.0-rc2).
		r.SecurityUpdates = nil
	}
	if len(r.SecurityUpdates) > 0 {
		vs := make([]string, len(r.SecurityUpdates))
		for i, s := range r.SecurityUpdates {
			vs[i] = s.Version
		}
		if r.Status == StatusNotSecure {
			e.reason("Security releases newer than the installed one: %s.", strings.Join(vs, ", "))
		} else {
			e.reason("Security releases newer than the installed one exist (%s), but the installed release is not marked insecure.", strings.Join(vs, ", "))
		}
	}
	if r.Status == StatusNotSecure {
		r.FixedBy = r.SecurityUpdates
		if len(r.FixedBy) == 0 && e.recommended != nil && r.ProjectStatus != ProjectInsecure && e.newer(e.recommended.Version) {
			r.FixedBy = []Release{*e.recommended}
		}
	}
	if len(r.AlsoAvailable) > 0 {
		e.reason("Also available in a newer major version: %s.", strings.Join(r.AlsoAvailable, ", "))
	}
	switch r.Status {
	case StatusNotCurrent, StatusNotSecure:
		r.UpdateAvailable = true
	case StatusRevoked, StatusNotSupported:
		r.UpdateAvailable = len(r.AlsoAvailable) > 0 ||
			(r.RecommendedVersion != "" && e.newer(r.RecommendedVersion))
		if r.UpdateAvailable {
			e.reason("A supported release to move to is available.")
		} else if r.ProjectStatus == ProjectPublished || r.ProjectStatus == "" {
			e.reason("No supported release is available to update to.")
		}
	}
	e.compat()
	e.coverage()
}

// newer reports whether version is newer than the installed version.
func (e *evaluation) newer(version string) bool {
	v, err := Parse(version)
	return err == nil && e.v.Raw != "" && Compare(v, e.v) > 0
}

func canonical(version string) string {
	if v, err := Parse(version); err == nil {
		return v.String()
	}
	return version
}
