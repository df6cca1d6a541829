package fleetwatch

import (
	"context"
	"time"
)

// Where an SLA clock starts.
const (
	// SLAClockPublished starts the clock at the fixing release's
	// publication (the detection when it is unknown).
	SLAClockPublished = "published"
	// SLAClockDetected starts the clock when Fleetwatch first knew.
	SLAClockDetected = "detected"
)

// SLAAtRiskFraction is the share of its window an open exposure has left
// when it becomes at_risk: under 20 %.
const SLAAtRiskFraction = 0.2

// SLADeadlineDays are the days allowed to patch, per severity.
type SLADeadlineDays struct {
	HighlyCritical     int `json:"highly_critical" minimum:"1" maximum:"3650" doc:"Days to patch a highly critical exposure"`
	Critical           int `json:"critical" minimum:"1" maximum:"3650"`
	ModeratelyCritical int `json:"moderately_critical" minimum:"1" maximum:"3650"`
	LessCritical       int `json:"less_critical" minimum:"1" maximum:"3650"`
	NotCritical        int `json:"not_critical" minimum:"1" maximum:"3650"`
}

// Days returns the deadline in days of a severity; an unknown or empty
// severity counts as critical, as for the fleet's counts.
func (d SLADeadlineDays) Days(severity string) int {
	switch severity {
	case SeverityHighlyCritical:
		return d.HighlyCritical
	case SeverityModeratelyCritical:
		return d.ModeratelyCritical
	case SeverityLessCritical:
		return d.LessCritical
	case SeverityNotCritical:
		return d.NotCritical
	}
	return d.Critical
}

// SLAPolicy is an organization's patching deadlines. Each change is a new
// version; Version 0 is the default policy of an organization that never
// set one.
type SLAPolicy struct {
	ID               int64           `json:"-"`
	OrganizationID   int64           `json:"-"`
	OrganizationUUID string          `json:"organization_id"`
	Version          int             `json:"version" doc:"Increases with each change; 0 for the defaults, never saved"`
	Deadlines        SLADeadlineDays `json:"deadlines"`
	ClockStart       string          `json:"clock_start" enum:"published,detected" doc:"Whether the clock starts at the security release's publication or at first detection; never before the site was first seen"`
	CreatedAt        *time.Time      `json:"created_at" doc:"When this version was saved; null for the defaults"`
	CreatedBy        *string         `json:"created_by" doc:"Who saved this version; null for the defaults"`
	CreatedByID      int64           `json:"-"`
}

// DefaultSLAPolicy returns the default policy of an organization:
// 1, 3, 7, 30 and 90 days, the clock from publication.
func DefaultSLAPolicy(organizationID int64) SLAPolicy {
	return SLAPolicy{
		OrganizationID: organizationID,
		Deadlines:      SLADeadlineDays{HighlyCritical: 1, Critical: 3, ModeratelyCritical: 7, LessCritical: 30, NotCritical: 90},
		ClockStart:     SLAClockPublished,
	}
}

// Deadline returns the time allowed to patch an exposure of the severity.
func (p SLAPolicy) Deadline(severity string) time.Duration {
	return time.Duration(p.Deadlines.Days(severity)) * 24 * time.Hour
}

// SLASeverity is the severity a stored exposure's deadline follows: its
// own, or "" (counted as critical, whatever the policy says of critical)
// when no advisory gave one (known false; the stored severity is then
// "critical" for the counts).
func SLASeverity(severity string, known bool) string {
	if !known {
		return ""
	}
	return severity
}

// SLAInput is what the SLA of one exposure depends on.
type SLAInput struct {
	Severity    string     // "" counts as critical
	PublishedAt *time.Time // the fixing release's date; nil when unknown
	DetectedAt  time.Time  // when Fleetwatch first knew
	// SiteFirstSeenAt is when the site first reported; the clock never
	// starts before it. Nil when unknown.
	SiteFirstSeenAt *time.Time
	// Paused is time the clock stood still (an accepted risk), which moves
	// the due date later.
	Paused time.Duration
}

// SLAClock is an exposure's SLA as a policy sets it.
type SLAClock struct {
	StartedAt time.Time
	DueAt     time.Time
	Window    time.Duration // DueAt - StartedAt, without pauses
}

// ComputeSLAClock returns when an exposure's clock starts and when it is due
// under the policy. The clock starts at publication (or at detection, per
// the policy, or when publication is unknown), never before the site was
// first seen; the due date is that start plus the severity's deadline plus
// any paused time. It is a pure function: the analysis stores its result on
// each exposure and calls it again for open ones when a policy changes.
func ComputeSLAClock(in SLAInput, p SLAPolicy) SLAClock {
	start := in.DetectedAt
	if p.ClockStart != SLAClockDetected && in.PublishedAt != nil {
		start = *in.PublishedAt
	}
	if in.SiteFirstSeenAt != nil && start.Before(*in.SiteFirstSeenAt) {
		start = *in.SiteFirstSeenAt
	}
	window := p.Deadline(in.Severity)
	return SLAClock{StartedAt: start, DueAt: start.Add(window + max(in.Paused, 0)), Window: window}
}

// SLAState returns the state of an open exposure at now: SLABreached once
// now reaches dueAt, SLAAtRisk when less than SLAAtRiskFraction of the
// window is left, else SLAWithin. window is the full deadline
// (SLAClock.Window); a zero window is breached at dueAt and within before.
func SLAState(dueAt time.Time, window time.Duration, now time.Time) string {
	left := dueAt.Sub(now)
	switch {
	case left <= 0:
		return SLABreached
	case float64(left) < SLAAtRiskFraction*float64(window):
		return SLAAtRisk
	}
	return SLAWithin
}

// SLAStatusAt returns where the exposure stands against its deadline at
// now: its frozen outcome once resolved, else SLAState over its window.
func (e *Exposure) SLAStatusAt(now time.Time) string {
	if e.SLAOutcome != nil {
		return *e.SLAOutcome
	}
	return SLAState(e.DueAt, e.DueAt.Sub(e.ClockStartedAt), now)
}

// SLAOutcome returns the outcome frozen on an exposure resolved at
// resolvedAt: SLAWithin when it closed by dueAt, else SLABreached.
func SLAOutcome(dueAt, resolvedAt time.Time) string {
	if resolvedAt.After(dueAt) {
		return SLABreached
	}
	return SLAWithin
}

// SLAPolicyStore keeps the versions of organizations' SLA policies.
type SLAPolicyStore interface {
	// FindSLAPolicy returns the newest version of the organization's
	// policy; ENOTFOUND when it never saved one.
	FindSLAPolicy(ctx context.Context, organizationID int64) (*SLAPolicy, error)
	// FindSLAPolicyVersions lists every saved version, newest first.
	FindSLAPolicyVersions(ctx context.Context, organizationID int64) ([]*SLAPolicy, error)
	// CreateSLAPolicyVersion saves p as the organization's next version and
	// fills ID, Version, CreatedAt and CreatedBy. ECONFLICT when another
	// version was saved at the same moment; ENOTFOUND when the organization
	// is gone.
	CreateSLAPolicyVersion(ctx context.Context, p *SLAPolicy, by int64) error
}
