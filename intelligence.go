package fleetwatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Statuses of a cached release-history feed.
const (
	FeedPending  = "pending"   // known, never fetched
	FeedOK       = "ok"        // the body is a valid feed
	FeedNotFound = "not_found" // drupal.org has no release history for the project
	FeedInvalid  = "invalid"   // the last answer was not a feed (HTML, truncated, too large)
	FeedError    = "error"     // the last fetch failed (network, timeout, 5xx)
)

// ReleaseFeed is the cached release-history feed of one project.
type ReleaseFeed struct {
	Project      string     `json:"project"`
	Body         []byte     `json:"-"`
	ContentHash  string     `json:"content_hash"`
	ETag         string     `json:"etag"`
	LastModified string     `json:"last_modified"`
	Status       string     `json:"status" enum:"pending,ok,not_found,invalid,error"`
	Error        string     `json:"error"`
	Failures     int        `json:"failures"`
	FetchedAt    *time.Time `json:"fetched_at"`
	ChangedAt    *time.Time `json:"changed_at"`
	CheckedAt    *time.Time `json:"checked_at"`
	NextAttempt  *time.Time `json:"next_attempt_at"`
}

// FeedResponse is what a feed fetch answered.
type FeedResponse struct {
	// Body is the feed, nil when NotModified or NotFound.
	Body         []byte
	ETag         string
	LastModified string
	// NotModified is set when the conditional request matched the cache.
	NotModified bool
	// NotFound is set when drupal.org has no release history for the
	// project (a 404, or its "No release history" answer).
	NotFound bool
}

// ErrFeedInvalid is wrapped by fetch errors for answers that are not a
// release-history feed (an HTML page, truncated XML, too large): retrying
// soon will not help.
var ErrFeedInvalid = errors.New("invalid release history feed")

// FeedFetcher fetches drupal.org data: release-history feeds and security
// advisories. The drupalorg package implements it over HTTP and file://.
type FeedFetcher interface {
	// FetchFeed fetches the release history of project, conditionally on
	// the validators of the cached copy ("" for none). Errors wrapping
	// ErrFeedInvalid mean the answer was not a feed; others are transient.
	FetchFeed(ctx context.Context, project, etag, lastModified string) (*FeedResponse, error)
	// FetchAdvisories returns the security advisories of the advisory
	// source, newest first as far as the source orders them.
	FetchAdvisories(ctx context.Context) ([]*Advisory, error)
}

// FeedStore caches release-history feeds.
type FeedStore interface {
	// FindReleaseFeed returns ENOTFOUND for a project never fetched.
	FindReleaseFeed(ctx context.Context, project string) (*ReleaseFeed, error)
	// FindReleaseFeeds returns the cached feeds of projects, those known.
	FindReleaseFeeds(ctx context.Context, projects []string) ([]*ReleaseFeed, error)
	// FindReleaseFeedHeads is FindReleaseFeeds without the bodies: enough
	// to tell whether a parsed copy is current.
	FindReleaseFeedHeads(ctx context.Context, projects []string) ([]*ReleaseFeed, error)
	// SaveReleaseFeed inserts or replaces the cache entry of f.Project.
	SaveReleaseFeed(ctx context.Context, f *ReleaseFeed) error
	// FindDueFeedProjects lists the drupal.org projects some site runs whose
	// feed was never fetched, last checked before checkedBefore, or whose
	// backoff ended before now: the work of one refresh.
	FindDueFeedProjects(ctx context.Context, checkedBefore, now time.Time) ([]string, error)
}

// Advisory is a drupal.org security advisory. The risk label, score and
// vector are kept as published; Severity is the label in Fleetwatch's
// spelling, "" when unknown.
type Advisory struct {
	ID                int64      `json:"-"`
	AdvisoryID        string     `json:"id" doc:"SA-CORE-2024-001, SA-CONTRIB-2026-138"`
	Project           string     `json:"project"`
	Title             string     `json:"title"`
	URL               string     `json:"url"`
	RiskLabel         string     `json:"risk_label" doc:"As published, e.g. Moderately critical"`
	Severity          string     `json:"severity" doc:"The risk label's key; empty when unknown"`
	RiskScore         *int       `json:"risk_score" doc:"Out of 25; null when not published"`
	RiskVector        string     `json:"risk_vector"`
	VulnerabilityType string     `json:"vulnerability_type"`
	AffectedVersions  string     `json:"affected_versions"`
	FixedVersions     []string   `json:"fixed_versions"`
	CVEs              []string   `json:"cves"`
	IsPSA             bool       `json:"is_psa"`
	Source            string     `json:"source"`
	PublishedAt       *time.Time `json:"published_at"`
}

// AdvisoryStore keeps security advisories and their link to releases.
type AdvisoryStore interface {
	// SaveAdvisories inserts or merges advisories by AdvisoryID: a field a
	// source leaves empty keeps the value another source gave. It fills ID.
	SaveAdvisories(ctx context.Context, advs []*Advisory) error
	// FindAdvisoriesByProject returns every advisory of the project.
	FindAdvisoriesByProject(ctx context.Context, project string) ([]*Advisory, error)
	// FindAdvisoryProjects lists the projects that have advisories.
	FindAdvisoryProjects(ctx context.Context) ([]string, error)
}

// ReleaseInfo is one release of a project's feed as module_versions keeps it.
type ReleaseInfo struct {
	Version           string     `json:"version"`
	ReleaseDate       *time.Time `json:"release_date"`
	SecurityUpdate    bool       `json:"security_update"`
	BugFixes          bool       `json:"bug_fixes"`
	NewFeatures       bool       `json:"new_features"`
	Published         bool       `json:"published"`
	Insecure          bool       `json:"insecure"`
	Revoked           bool       `json:"revoked"`
	Unsupported       bool       `json:"unsupported"`
	CoreCompatibility string     `json:"core_compatibility"`
	SecurityCovered   bool       `json:"security_covered"`
	Severity          *string    `json:"severity" doc:"Of the advisory the release fixes; null when none or unknown"`
	AdvisoryID        *string    `json:"advisory_id"`
	RiskLabel         string     `json:"risk_label,omitempty"`
	RiskScore         *int       `json:"risk_score,omitempty"`
	RiskVector        string     `json:"risk_vector,omitempty"`
	SitesCount        int        `json:"sites_count" doc:"Sites you can see that run it"`
}

// Install is one (site, project) the analysis judges, with what it last
// decided.
type Install struct {
	SiteID         int64
	ModuleID       int64
	OrganizationID int64
	Project        string
	Source         string
	VersionID      int64 // module_versions.id of the installed version
	Version        string
	Datestamp      int64 // build time of a dev checkout, 0 when unknown
	CoreVersion    string
	FirstSeenAt    *time.Time
	Status         string
	// Fingerprint digests the stored analysis, so that an unchanged result
	// is not written again.
	Fingerprint string
}

// AnalysisStore reads what the analysis needs and writes its decisions.
type AnalysisStore interface {
	// FindProjectInstalls returns every (site, project) of visible sites
	// that runs project.
	FindProjectInstalls(ctx context.Context, project string) ([]*Install, error)
	// FindOpenExposureFacts returns the Facts of the open exposures of
	// the project (moduleID) on the sites, by site.
	FindOpenExposureFacts(ctx context.Context, moduleID int64, siteIDs []int64) (map[int64]string, error)
	// FindStaleSites returns up to limit sites with rows another writer
	// changed after their last full analysis (SaveAnalyses).
	FindStaleSites(ctx context.Context, limit int) ([]int64, error)
	// FindSiteInstalls returns every (site, project) of the sites.
	FindSiteInstalls(ctx context.Context, siteIDs []int64) ([]*Install, error)
	// SaveReleases upserts the releases of a project's feed into
	// module_versions (creating the module when needed), with the
	// advisory each security release fixes (advisory ids by version).
	SaveReleases(ctx context.Context, project string, releases []ReleaseInfo, advisories map[string]string) error
	// SaveAnalyses writes the analyses in one transaction, skipping those
	// whose site no longer runs VersionID, and opens and closes exposures
	// in the same transaction: one opens when SecurityUpdate becomes true,
	// the open one resolves when it becomes false. It returns the
	// exposures it opened and resolved.
	SaveAnalyses(ctx context.Context, vs []*ModuleVerdict, at time.Time) (ExposureChanges, error)
	// SyncExposures opens and resolves the exposures of the sites so that
	// one is open exactly while security_update is true, for rows written
	// without an analyzer. open builds the exposure of an install that
	// needs one.
	SyncExposures(ctx context.Context, siteIDs []int64, at time.Time, open func(*Install) *Exposure) (ExposureChanges, error)
	// FindReleaseInfos returns the known releases of a project, newest
	// first, with how many sites of organizationID (0: all) run each;
	// ENOTFOUND for an unknown project.
	FindReleaseInfos(ctx context.Context, project string, organizationID int64) ([]*ReleaseInfo, error)
}

// Exposure states.
const (
	ExposureOpen     = "open"
	ExposureResolved = "resolved"
)

// SLA outcomes and states of exposures (docs/architecture.md: the SLA clock).
const (
	SLAWithin   = "within"
	SLAAtRisk   = "at_risk"
	SLABreached = "breached"
)

// Exposure is an outstanding (or past) security update of one project on
// one site: open exactly while the site's project has
// security_update true.
type Exposure struct {
	ID               int64      `json:"-"`
	UUID             string     `json:"id"`
	SiteID           int64      `json:"-"`
	SiteUUID         string     `json:"site_id"`
	SiteName         string     `json:"site_name"`
	ModuleID         int64      `json:"-"`
	OrganizationID   int64      `json:"-"`
	OrganizationUUID string     `json:"organization_id"`
	Project          string     `json:"project"`
	InstalledVersion string     `json:"installed_version"`
	FixedBy          []string   `json:"fixed_by" doc:"The security releases that fix it; empty when the whole project is insecure"`
	Advisories       []string   `json:"advisories" doc:"Advisory ids of those releases, when known"`
	Severity         string     `json:"severity" enum:"highly_critical,critical,moderately_critical,less_critical,not_critical"`
	SeverityKnown    bool       `json:"severity_known" doc:"False when no advisory gave a severity (counted as critical)"`
	PublishedAt      *time.Time `json:"published_at" doc:"The fixing release's date"`
	DetectedAt       time.Time  `json:"detected_at"`
	ClockStartedAt   time.Time  `json:"clock_started_at" doc:"The SLA clock's start: publication, never before the site was first seen"`
	DueAt            time.Time  `json:"due_at"`
	ResolvedAt       *time.Time `json:"resolved_at"`
	ResolvedVersion  string     `json:"resolved_version"`
	SLAOutcome       *string    `json:"sla_outcome" enum:"within,breached" doc:"Frozen when it resolves"`
	State            string     `json:"state" enum:"open,resolved"`
	SLAStatus        string     `json:"sla_status" enum:"within,at_risk,breached"`
	AcceptedUntil    *time.Time `json:"accepted_until" doc:"When the risk acceptance in force ends (the SLA clock is paused until then); null when none holds"`
}

// ExposureFilter narrows a list of exposures.
type ExposureFilter struct {
	ListOptions
	OrganizationID int64 // 0: all
	SiteID         int64
	Project        string
	Severity       string
	State          string // open, resolved or "" for both
	// OverdueAt, when set, keeps the exposures still open after their due
	// time, or resolved after it; NotOverdueAt keeps the others.
	OverdueAt    *time.Time
	NotOverdueAt *time.Time
	// Accepted, when set, keeps the exposures under a risk acceptance in
	// force at AcceptedAt (true), or the others (false).
	Accepted   *bool
	AcceptedAt time.Time
}

// ExposureSortFields are the fields a list of exposures sorts by.
var ExposureSortFields = []string{"detected_at", "due_at", "published_at", "resolved_at", "severity", "project"}

// ExposureChanges are the exposures one write opened and resolved, as
// committed.
type ExposureChanges struct {
	Opened   []*Exposure
	Resolved []*Exposure
	// Updated counts the open exposures whose advisories, fixing
	// releases, severity or publication a feed or advisory change updated,
	// with their SLA clocks.
	Updated int
}

// ExposureStore reads exposures and keeps their SLA clocks.
type ExposureStore interface {
	// FindExposureByUUID returns ENOTFOUND for an unknown exposure.
	FindExposureByUUID(ctx context.Context, uuid string) (*Exposure, error)
	FindExposures(ctx context.Context, f ExposureFilter) ([]*Exposure, int, error)
	// FindAcceptedUntil returns, for those of the exposures under a risk
	// acceptance in force at at, when the acceptance ends.
	FindAcceptedUntil(ctx context.Context, exposureIDs []int64, at time.Time) (map[int64]time.Time, error)
	// UpdateOpenExposureClocks recomputes, in one transaction, the clock
	// and due date of every open exposure of the organization with clock
	// (given each one's severity, publication, detection and its site's
	// first sighting); resolved ones keep theirs and their frozen outcome.
	// An exposure whose new due date is after at may be announced as
	// breached again later. It returns how many it changed.
	UpdateOpenExposureClocks(ctx context.Context, organizationID int64, at time.Time, clock func(SLAInput) SLAClock) (int, error)
	// ClaimSLABreaches marks up to limit open exposures whose due date is
	// before at and whose breach was never announced as announced, and
	// returns them: each breach is claimed once, whichever replica asks.
	ClaimSLABreaches(ctx context.Context, at time.Time, limit int) ([]*Exposure, error)
}

// Leadership elects the replica that runs scheduled work.
type Leadership interface {
	// TryLeadership runs fn when this process holds the scheduler lock of
	// name, and reports whether it did: on PostgreSQL an advisory lock,
	// so that one replica leads; on SQLite the one process always does.
	TryLeadership(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error)
}

// Facts is what an exposure says of its cause, as one string to compare:
// the severity and whether an advisory gave it, the fixing releases, the
// advisory ids and the fixing release's date.
func (e *Exposure) Facts() string {
	return ExposureFacts(e.Severity, e.SeverityKnown, e.FixedBy, e.Advisories, e.PublishedAt)
}

// ExposureFacts is Exposure.Facts of the stored columns.
func ExposureFacts(severity string, known bool, fixedBy, advisories []string, published *time.Time) string {
	var b strings.Builder
	b.WriteString(severity)
	if known {
		b.WriteString("\x00known")
	}
	for _, l := range [2][]string{fixedBy, advisories} {
		b.WriteByte(0)
		b.WriteString(strings.Join(l, "\x01"))
	}
	if published != nil {
		b.WriteByte(0)
		b.WriteString(published.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
	}
	return b.String()
}

// ReasonsDigest identifies an analysis's reasons: "" for none, else the
// SHA-256 of the reasons, each ended by a NUL, in hex. The store keeps
// each distinct text of reasons once, under its digest: a library's
// reasons run to kilobytes, and thousands of sites at one version share
// them.
func ReasonsDigest(reasons []string) string {
	if len(reasons) == 0 {
		return ""
	}
	h := sha256.New()
	for _, r := range reasons {
		h.Write([]byte(r))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AnalysisFingerprint digests the stored parts of an analysis, so that
// writers skip rows whose analysis did not change; reasonsDigest is
// ReasonsDigest of its reasons.
func AnalysisFingerprint(status, latest, recommended, severity string, securityUpdates, alsoAvailable []string, reasonsDigest string) string {
	fields, lists := [5]string{status, latest, recommended, severity, reasonsDigest}, [2][]string{securityUpdates, alsoAvailable}
	n := len(fields) + len(lists)
	for _, s := range fields {
		n += len(s)
	}
	for _, l := range lists {
		for _, s := range l {
			n += len(s) + 1
		}
	}
	// Written once into a buffer of its size: every verdict the worker
	// makes has one.
	var b strings.Builder
	b.Grow(n)
	for _, s := range fields {
		b.WriteString(s)
		b.WriteByte(0)
	}
	for _, l := range lists {
		for _, s := range l {
			b.WriteString(s)
			b.WriteByte(1)
		}
		b.WriteByte(0)
	}
	return b.String()
}
