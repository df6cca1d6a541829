package fleetwatch

import (
	"context"
	"math"
	"time"
)

// StaleAfter is how long a site may stay silent before it counts as stale.
const StaleAfter = 48 * time.Hour

// ReportScope bounds a report: an organization, a site, a period. Services
// fill OrganizationID from the caller's organization for non-admins.
type ReportScope struct {
	OrganizationID int64 // 0: every organization
	SiteID         int64 // 0: every site
	From, To       time.Time
	Now            time.Time
}

// SummaryReport is the fleet at a glance.
type SummaryReport struct {
	Sites                  int      `json:"sites"`
	SitesReporting24h      int      `json:"sites_reporting_24h" doc:"Sites that pushed in the last 24 hours"`
	StaleSites             int      `json:"stale_sites" doc:"Active sites silent for more than 48 hours, or never seen"`
	Projects               int      `json:"projects" doc:"Distinct projects the sites run"`
	UpdatesAvailable       int      `json:"updates_available" doc:"(site, project) pairs with a non-security update available"`
	SecurityUpdates        int      `json:"security_updates" doc:"Open exposures"`
	SecurityHighlyCritical int      `json:"security_highly_critical"`
	SecurityCritical       int      `json:"security_critical"`
	SecurityModerately     int      `json:"security_moderately_critical"`
	SecurityLessCritical   int      `json:"security_less_critical"`
	SecurityNotCritical    int      `json:"security_not_critical"`
	SitesWithSecurity      int      `json:"sites_with_security_updates"`
	OverdueExposures       int      `json:"overdue_exposures"`
	AcceptedExposures      int      `json:"accepted_exposures" doc:"Open exposures whose risk an org admin accepted for now"`
	Compliance30d          *float64 `json:"compliance_30d" doc:"% of exposures closed in the last 30 days within their deadline; null when none closed"`
	Compliance90d          *float64 `json:"compliance_90d"`
	GeneratedAt            string   `json:"generated_at"`
}

// SecurityUpdateRow is one outstanding security update (an open exposure).
type SecurityUpdateRow struct {
	ExposureUUID     string     `json:"exposure_id"`
	OrganizationUUID string     `json:"organization_id"`
	SiteUUID         string     `json:"site_id"`
	SiteName         string     `json:"site_name"`
	SiteURL          string     `json:"site_url"`
	Project          string     `json:"project"`
	Installed        string     `json:"installed_version"`
	FixedBy          []string   `json:"fixed_versions"`
	Severity         string     `json:"severity" enum:"highly_critical,critical,moderately_critical,less_critical,not_critical"`
	DetectedAt       time.Time  `json:"detected_at"`
	DueAt            time.Time  `json:"due_at"`
	AgeDays          float64    `json:"age_days"`
	SLAState         string     `json:"sla_state" enum:"within,at_risk,breached,accepted" doc:"accepted while an org admin's risk acceptance holds"`
	AcceptedUntil    *time.Time `json:"accepted_until"`

	ClockStartedAt time.Time `json:"-"`
}

// SecurityUpdateSortFields are the fields the security-updates report sorts by.
var SecurityUpdateSortFields = []string{"due_at", "detected_at", "severity", "project", "site_name"}

// SiteRiskRow is one site's outstanding security updates, as the overview
// ranks the sites that need one.
type SiteRiskRow struct {
	SiteUUID         string     `json:"site_id"`
	SiteName         string     `json:"site_name"`
	SiteURL          string     `json:"site_url"`
	OrganizationUUID string     `json:"organization_id"`
	SecurityUpdates  int        `json:"security_updates" doc:"Open security updates, accepted risks included"`
	PastDue          int        `json:"past_due" doc:"Past their deadline; an accepted risk counts only if it was breached before it was accepted"`
	Accepted         int        `json:"accepted" doc:"Under a risk acceptance that holds (one breached before it was accepted counts as past due instead)"`
	WorstSeverity    string     `json:"worst_severity" enum:"highly_critical,critical,moderately_critical,less_critical,not_critical" doc:"Of its open security updates (one without a known severity counts as critical)"`
	NextDueAt        *time.Time `json:"next_due_at" doc:"The earliest deadline of its updates that are not accepted (past when overdue); null when all are accepted"`
	Risk             int        `json:"risk" doc:"Higher is worse: past due first, then the worst severity, then the count"`
}

// OpenDeadline is one open security update as the site-risk report reads
// it: its site, severity and deadline, and the end of a risk acceptance that
// holds.
type OpenDeadline struct {
	SiteID           int64
	SiteUUID         string
	SiteName         string
	SiteURL          string
	OrganizationUUID string
	Severity         string
	DueAt            time.Time
	ClockStartedAt   time.Time
	AcceptedUntil    *time.Time
}

// SiteRiskSortFields are the fields the site-risk report sorts by. risk,
// worst_severity, security_updates and past_due ascend from the least to
// the most at risk, so "-risk", the default, puts the sites to patch first
// on top; site_name and next_due_at ascend by name and by date.
var SiteRiskSortFields = []string{"risk", "site_name", "worst_severity", "security_updates", "past_due", "next_due_at"}

// ComplianceRow is the SLA compliance of one organization or one site over
// a period: the exposures closed in it, and the breaches still open.
type ComplianceRow struct {
	Scope            string   `json:"scope" enum:"organization,site"`
	OrganizationUUID string   `json:"organization_id"`
	OrganizationName string   `json:"organization_name"`
	SiteUUID         string   `json:"site_id,omitempty"`
	SiteName         string   `json:"site_name,omitempty"`
	Closed           int      `json:"closed"`
	Within           int      `json:"within"`
	Breached         int      `json:"breached"`
	CompliancePct    *float64 `json:"compliance_pct"`
	MeanHours        *float64 `json:"mean_hours_to_patch"`
	MedianHours      *float64 `json:"median_hours_to_patch"`
	P90Hours         *float64 `json:"p90_hours_to_patch"`
	OpenBreaches     int      `json:"open_breaches"`
}

// TrendRow is one day of a trend.
type TrendRow struct {
	Day             string   `json:"day" doc:"YYYY-MM-DD (UTC)"`
	OpenSecurity    int      `json:"open_security_updates" doc:"Exposures open at the end of the day"`
	NewExposures    int      `json:"new_exposures"`
	Resolved        int      `json:"resolved"`
	Overdue         int      `json:"overdue" doc:"Open exposures past their deadline at the end of the day"`
	CompliancePct   *float64 `json:"compliance_pct" doc:"% of the day's closures within deadline; null when none"`
	OutdatedUpdates int      `json:"outdated_updates" doc:"(site, project) pairs with a non-security update outstanding at the end of the day"`
	MedianLagDays   *float64 `json:"median_lag_days" doc:"Median time those have been outstanding, in days"`
}

// ModuleUsageRow is one site running a project.
type ModuleUsageRow struct {
	SiteUUID           string `json:"site_id"`
	SiteName           string `json:"site_name"`
	SiteURL            string `json:"site_url"`
	OrganizationUUID   string `json:"organization_id"`
	Version            string `json:"version"`
	Status             string `json:"status"`
	UpdateAvailable    bool   `json:"update_available"`
	SecurityUpdate     bool   `json:"security_update"`
	RecommendedVersion string `json:"recommended_version"`
}

// ModuleUsageSortFields are the fields the module-usage report sorts by.
var ModuleUsageSortFields = []string{"site_name", "version", "status"}

// ModuleUsageSummary counts the sites of a project by version.
type ModuleUsageSummary struct {
	Version  string `json:"version"`
	Sites    int    `json:"sites"`
	Behind   int    `json:"behind" doc:"Sites with an update available"`
	Insecure int    `json:"insecure" doc:"Sites with a security update outstanding"`
}

// PatchRunReportRow is one patch run with what it changed and closed.
type PatchRunReportRow struct {
	PatchRunUUID     string    `json:"patch_run_id"`
	OrganizationUUID string    `json:"organization_id"`
	SiteUUID         string    `json:"site_id"`
	SiteName         string    `json:"site_name"`
	RunDate          time.Time `json:"run_date"`
	Status           string    `json:"status"`
	Tool             string    `json:"tool"`
	Changes          []string  `json:"changes" doc:"project: from → to"`
	ExposuresClosed  []string  `json:"exposures_closed" doc:"Ids of the exposures this run resolved"`
}

// ComplianceFacts is what the SLA compliance report is computed from: the
// visible organizations and sites of a scope, named, with the site of each
// open exposure past its deadline and each exposure closed in the period.
// Breaches and closures of sites not in Sites (deleted ones) are not counted.
type ComplianceFacts struct {
	Organizations []ComplianceOrganization
	Sites         []ComplianceSite
	// Breaches holds the site of each open exposure past its deadline at
	// the scope's Now.
	Breaches []int64
	// Closures are the exposures closed in [From, To).
	Closures []Closure
}

// ComplianceOrganization is an organization as the compliance report names it.
type ComplianceOrganization struct {
	ID         int64
	UUID, Name string
}

// ComplianceSite is a site as the compliance report names it.
type ComplianceSite struct {
	ID, OrganizationID int64
	UUID, Name         string
}

// Closure is an exposure closed: on which site, the start of its SLA clock,
// when it was resolved and whether that was within its deadline.
type Closure struct {
	SiteID                     int64
	ClockStartedAt, ResolvedAt time.Time
	Within                     bool
}

// ExposureSpan is the life of one exposure, as trends need it.
type ExposureSpan struct {
	DetectedAt time.Time
	DueAt      time.Time
	ResolvedAt *time.Time
	Outcome    string // within or breached, once resolved
}

// Kinds of exposure instants counted by day for trends.
const (
	InstantDetected       = iota // an exposure opened
	InstantResolved              // it closed
	InstantResolvedWithin        // it closed within its deadline
	InstantOverdueFrom           // it became open and past due: the later of due and detection
	InstantOverdueTo             // it stopped being open and past due: the later of resolution and due
	InstantKinds
)

// ExposureDays counts the instants of the exposures alive in a period (the
// ones ExposureSpans returns) by kind: those before the period's start
// together, the later ones before Now by UTC day. That is all a trend needs,
// in a few hundred rows instead of every exposure of a year.
type ExposureDays struct {
	Before [InstantKinds]int
	Days   map[string]*[InstantKinds]int // YYYY-MM-DD
}

// Add counts one instant.
func (d *ExposureDays) Add(kind int, t, from, now time.Time) {
	switch {
	case !t.Before(now):
	case t.Before(from):
		d.Before[kind]++
	default:
		if d.Days == nil {
			d.Days = map[string]*[InstantKinds]int{}
		}
		day := t.UTC().Format(time.DateOnly)
		c := d.Days[day]
		if c == nil {
			c = new([InstantKinds]int)
			d.Days[day] = c
		}
		c[kind]++
	}
}

// CountExposureDays counts the instants of spans as ExposureDays does.
func CountExposureDays(spans []ExposureSpan, from, now time.Time) *ExposureDays {
	d := &ExposureDays{}
	for _, e := range spans {
		e.Instants(func(kind int, t time.Time) { d.Add(kind, t, from, now) })
	}
	return d
}

// Instants calls fn with each instant of the exposure's life that the
// trends count: detected, overdue from (its deadline, not before it was
// detected), and once resolved: resolved, resolved within its deadline,
// overdue to (the later of resolution and deadline).
func (e *ExposureSpan) Instants(fn func(kind int, t time.Time)) {
	fn(InstantDetected, e.DetectedAt)
	fn(InstantOverdueFrom, later(e.DueAt, e.DetectedAt))
	if e.ResolvedAt != nil {
		fn(InstantResolved, *e.ResolvedAt)
		if e.Outcome == "within" {
			fn(InstantResolvedWithin, *e.ResolvedAt)
		}
		fn(InstantOverdueTo, later(*e.ResolvedAt, e.DueAt))
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// OutdatedSpan is an interval during which a (site, project) had a
// non-security update outstanding.
type OutdatedSpan struct {
	SiteID, ModuleID int64
	From             time.Time
	To               *time.Time
}

// OpenEnd is the end of an interval still open, in OutdatedTimes.
const OpenEnd = int64(math.MaxInt64)

// OutdatedTimes are outdated intervals in 16 bytes each: their bounds in
// Unix nanoseconds, OpenEnd for one still open.
type OutdatedTimes struct {
	From, To []int64
}

// Add appends an interval.
func (t *OutdatedTimes) Add(from time.Time, to *time.Time) {
	end := OpenEnd
	if to != nil {
		end = to.UnixNano()
	}
	t.From, t.To = append(t.From, from.UnixNano()), append(t.To, end)
}

// ReportStore reads what the reports aggregate.
type ReportStore interface {
	Summary(ctx context.Context, s ReportScope) (*SummaryReport, error)
	SecurityUpdates(ctx context.Context, s ReportScope, opts ListOptions) ([]*SecurityUpdateRow, int, error)
	// ComplianceFacts returns what the SLA compliance report of the scope
	// is computed from: its period's closures, its open breaches at s.Now.
	ComplianceFacts(ctx context.Context, s ReportScope) (*ComplianceFacts, error)
	ExposureSpans(ctx context.Context, s ReportScope) ([]ExposureSpan, error)
	// ExposureDays counts the instants of ExposureSpans(s) by day, from
	// s.From (a midnight) to s.Now.
	ExposureDays(ctx context.Context, s ReportScope) (*ExposureDays, error)
	// ExposureTrendDays is ExposureDays for a trend, from s.From (a
	// midnight): it may count instants of exposures not alive in the
	// period, as long as every difference of running sums a trend takes
	// stays the same (a fleet's or organization's comes from counters).
	ExposureTrendDays(ctx context.Context, s ReportScope) (*ExposureDays, error)
	OutdatedSpans(ctx context.Context, s ReportScope) ([]OutdatedSpan, error)
	ModuleUsage(ctx context.Context, s ReportScope, project string, opts ListOptions) ([]*ModuleUsageRow, int, error)
	PatchRunReport(ctx context.Context, s ReportScope, opts ListOptions) ([]*PatchRunReportRow, int, error)
}

// DailyOutdated is the rollup of one organization's outstanding
// non-security updates at the end of one day.
type DailyOutdated struct {
	OrganizationID int64
	Day            string // YYYY-MM-DD
	Outdated       int
	// LagHistogram counts the outdated pairs by whole days outstanding;
	// the last bucket holds the rest.
	LagHistogram []int
	ComputedAt   time.Time
}

// RollupStore keeps the daily rollups.
type RollupStore interface {
	// DailyOutdated returns the rollups of [from, to] (days), of one
	// organization or of all (0), ordered by day.
	DailyOutdated(ctx context.Context, orgID int64, from, to string) ([]DailyOutdated, error)
	// EachDailyOutdated calls fn with each rollup DailyOutdated returns,
	// in order; the row and its histogram are reused after fn returns.
	EachDailyOutdated(ctx context.Context, orgID int64, from, to string, fn func(*DailyOutdated) error) error
	// DailyOutdatedStamps is DailyOutdated without the histograms: which
	// organizations' rows exist for each day, and when they were computed.
	DailyOutdatedStamps(ctx context.Context, orgID int64, from, to string) ([]DailyOutdated, error)
	// OutdatedTimes is OutdatedSpans in compact form, for the rollups.
	OutdatedTimes(ctx context.Context, s ReportScope) (*OutdatedTimes, error)
	// CompactExposureCounters folds the report counters the writers keep
	// (ExposureTrendDays, the summary) into one row per key.
	CompactExposureCounters(ctx context.Context) error
	// RefreshStatistics keeps the query planner's statistics current as
	// the data grows.
	RefreshStatistics(ctx context.Context) error
	// SaveDailyOutdated inserts or replaces rollups.
	SaveDailyOutdated(ctx context.Context, rows []DailyOutdated) error
	// RollupOrganizations returns the ids of the organizations that exist
	// and have inventory history.
	RollupOrganizations(ctx context.Context) ([]int64, error)
}
