package service

import (
	"cmp"
	"context"
	"log/slog"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Report limits.
const (
	DefaultReportDays = 30
	MaxReportDays     = 366
)

// ReportsStore is what Reports needs of the database: the reports and their
// rollups. The fleetwatch store interfaces document each method and its
// errors.
type ReportsStore interface {
	CompactExposureCounters(ctx context.Context) error
	ComplianceFacts(ctx context.Context, s fleetwatch.ReportScope) (*fleetwatch.ComplianceFacts, error)
	RefreshStatistics(ctx context.Context) error
	DailyOutdatedStamps(ctx context.Context, orgID int64, from, to string) ([]fleetwatch.DailyOutdated, error)
	EachDailyOutdated(ctx context.Context, orgID int64, from, to string, fn func(*fleetwatch.DailyOutdated) error) error
	EachOpenDeadline(ctx context.Context, s fleetwatch.ReportScope, q string, fn func(*fleetwatch.OpenDeadline) error) error
	ExposureTrendDays(ctx context.Context, s fleetwatch.ReportScope) (*fleetwatch.ExposureDays, error)
	FindOrganizationByID(ctx context.Context, id int64) (*fleetwatch.Organization, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindSiteByUUID(ctx context.Context, uuid string) (*fleetwatch.Site, error)
	ModuleUsage(ctx context.Context, s fleetwatch.ReportScope, project string, opts fleetwatch.ListOptions) ([]*fleetwatch.ModuleUsageRow, int, error)
	OutdatedSpans(ctx context.Context, s fleetwatch.ReportScope) ([]fleetwatch.OutdatedSpan, error)
	OutdatedTimes(ctx context.Context, s fleetwatch.ReportScope) (*fleetwatch.OutdatedTimes, error)
	PatchRunReport(ctx context.Context, s fleetwatch.ReportScope, opts fleetwatch.ListOptions) ([]*fleetwatch.PatchRunReportRow, int, error)
	RollupOrganizations(ctx context.Context) ([]int64, error)
	SaveDailyOutdated(ctx context.Context, rows []fleetwatch.DailyOutdated) error
	SecurityUpdates(ctx context.Context, s fleetwatch.ReportScope, opts fleetwatch.ListOptions) ([]*fleetwatch.SecurityUpdateRow, int, error)
	Summary(ctx context.Context, s fleetwatch.ReportScope) (*fleetwatch.SummaryReport, error)
}

// Reports answers the fleet reports, each bounded by what the caller may see.
type Reports struct {
	Store ReportsStore
	Now   func() time.Time
	// Cache keeps answers until the data they come from changes (see
	// WatchEvents) or CacheTTL passes; nil computes every answer.
	Cache    fleetwatch.Cache
	CacheTTL time.Duration
	Logger   *slog.Logger
	// Platforms answers the platforms report.
	Platforms *Platforms

	rollupMu   sync.Mutex
	lastRollup time.Time
	rollupMemo rollupMemo
	// orgUUIDs names organizations in the cache keys.
	orgUUIDs orgUUIDCache
}

func (s *Reports) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// ScopeInput is the filter every report takes: organization, site, period.
type ScopeInput struct {
	OrganizationID string
	SiteID         string
	From, To       string // YYYY-MM-DD or RFC 3339; To is exclusive of the next day
}

// Scope resolves a report filter for the caller. An organization or site
// the caller cannot see gives ENOTFOUND, as if it did not exist. The period
// defaults to the last 30 days and spans at most 366.
func (s *Reports) Scope(ctx context.Context, in ScopeInput) (fleetwatch.ReportScope, error) {
	a, err := actor(ctx)
	if err != nil {
		return fleetwatch.ReportScope{}, err
	}
	now := s.now()
	sc := fleetwatch.ReportScope{OrganizationID: a.ScopeOrganization(), Now: now}
	var v fleetwatch.Validation
	to := now
	if in.To != "" {
		if t, ok := parseDay(in.To, true); ok {
			to = t
		} else {
			v.AddParam("to", "to must be a date (2026-11-25) or a time (2026-11-25T10:00:00Z)")
		}
	}
	from := to.AddDate(0, 0, -DefaultReportDays)
	if in.From != "" {
		if t, ok := parseDay(in.From, false); ok {
			from = t
		} else {
			v.AddParam("from", "from must be a date (2026-10-01) or a time")
		}
	}
	if len(v.Fields) == 0 {
		switch {
		case !from.Before(to):
			v.AddParam("from", "from must be before to")
		case to.Sub(from) > MaxReportDays*24*time.Hour:
			v.AddParam("from", "the period spans at most %d days", MaxReportDays)
		}
	}
	if err := v.Err(); err != nil {
		return sc, err
	}
	sc.From, sc.To = from, to
	if in.OrganizationID != "" {
		o, err := s.Store.FindOrganizationByUUID(ctx, in.OrganizationID)
		if err != nil {
			return sc, err
		}
		if !a.IsAdmin() && o.ID != a.OrganizationID {
			return sc, errOrganizationNotFound
		}
		sc.OrganizationID = o.ID
	}
	if in.SiteID != "" {
		site, err := s.Store.FindSiteByUUID(ctx, in.SiteID)
		if err != nil {
			return sc, err
		}
		if (!a.IsAdmin() && site.OrganizationID != a.OrganizationID) || (sc.OrganizationID != 0 && site.OrganizationID != sc.OrganizationID) {
			return sc, errSiteNotFound
		}
		sc.SiteID = site.ID
	}
	if !a.IsAdmin() && a.OrganizationID == 0 {
		return sc, errOrganizationNotFound
	}
	return sc, nil
}

// parseDay reads a date or a time; a date as the end of a period means the
// end of that day.
func parseDay(s string, end bool) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, false
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return t, true
}

// Summary is the fleet at a glance.
func (s *Reports) Summary(ctx context.Context, in ScopeInput) (*fleetwatch.SummaryReport, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, err
	}
	return cached(ctx, s, "summary", sc, "", func() (*fleetwatch.SummaryReport, error) { return s.Store.Summary(ctx, sc) })
}

// SecurityUpdates lists the outstanding security updates with their age and
// SLA state.
func (s *Reports) SecurityUpdates(ctx context.Context, in ScopeInput, opts fleetwatch.ListOptions) ([]*fleetwatch.SecurityUpdateRow, int, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, 0, err
	}
	p, err := cached(ctx, s, "security-updates", sc, listKey(opts), func() (page[*fleetwatch.SecurityUpdateRow], error) {
		rows, total, err := s.Store.SecurityUpdates(ctx, sc, opts)
		return page[*fleetwatch.SecurityUpdateRow]{Items: rows, Total: total}, err
	})
	if err != nil {
		return nil, 0, err
	}
	rows, total := p.Items, p.Total
	for _, r := range rows {
		stateAt(r, sc.Now)
	}
	return rows, total, nil
}

// stateAt sets a security update's age and SLA state at now.
func stateAt(r *fleetwatch.SecurityUpdateRow, now time.Time) {
	r.AgeDays = math.Round(now.Sub(r.DetectedAt).Hours()/24*10) / 10
	r.SLAState = openState(r.DueAt, r.ClockStartedAt, r.AcceptedUntil, now)
}

// openState is an open security update's SLA state at now: "accepted"
// while a risk acceptance holds (acceptedUntil set), unless it was breached
// (a breach before the acceptance stays a breach).
func openState(due, clockStarted time.Time, acceptedUntil *time.Time, now time.Time) string {
	state := fleetwatch.SLAState(due, due.Sub(clockStarted), now)
	if acceptedUntil != nil && state != fleetwatch.SLABreached {
		return "accepted"
	}
	return state
}

// SiteRisks ranks the sites of the scope that have an open security update
// by their risk (past due first, then the worst severity, then the count),
// summed from every open security update of the scope.
func (s *Reports) SiteRisks(ctx context.Context, in ScopeInput, opts fleetwatch.ListOptions) ([]*fleetwatch.SiteRiskRow, int, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, 0, err
	}
	// The ranking is computed once per scope and search; each sort orders a copy.
	all, err := cached(ctx, s, "site-risk", sc, listKey(fleetwatch.ListOptions{Q: opts.Q}), func() ([]*fleetwatch.SiteRiskRow, error) {
		return s.siteRisks(ctx, sc, opts.Q)
	})
	if err != nil {
		return nil, 0, err
	}
	sorted := slices.Clone(all)
	sortSiteRisks(sorted, opts.Sort)
	return fleetwatch.PageOf(sorted, opts), len(sorted), nil
}

func (s *Reports) siteRisks(ctx context.Context, sc fleetwatch.ReportScope, q string) ([]*fleetwatch.SiteRiskRow, error) {
	out := []*fleetwatch.SiteRiskRow{}
	bySite := map[int64]*fleetwatch.SiteRiskRow{}
	err := s.Store.EachOpenDeadline(ctx, sc, q, func(u *fleetwatch.OpenDeadline) error {
		r := bySite[u.SiteID]
		if r == nil {
			r = &fleetwatch.SiteRiskRow{SiteUUID: u.SiteUUID, SiteName: u.SiteName, SiteURL: u.SiteURL,
				OrganizationUUID: u.OrganizationUUID, WorstSeverity: fleetwatch.SeverityNotCritical}
			bySite[u.SiteID] = r
			out = append(out, r)
		}
		r.SecurityUpdates++
		severity := u.Severity
		if severity == "" {
			severity = fleetwatch.SeverityCritical // timed as critical, as the SLA times it
		}
		if fleetwatch.SeverityRank(severity) > fleetwatch.SeverityRank(r.WorstSeverity) {
			r.WorstSeverity = severity
		}
		switch openState(u.DueAt, u.ClockStartedAt, u.AcceptedUntil, sc.Now) {
		case "accepted":
			r.Accepted++
			return nil
		case fleetwatch.SLABreached:
			r.PastDue++
		}
		if r.NextDueAt == nil || u.DueAt.Before(*r.NextDueAt) {
			due := u.DueAt
			r.NextDueAt = &due
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range out {
		r.Risk = r.PastDue*1000 + fleetwatch.SeverityRank(r.WorstSeverity)*100 + min(r.SecurityUpdates, 99)
	}
	return out, nil
}

// siteRiskOrder compares two rows by one sort field, ascending.
var siteRiskOrder = map[string]func(a, b *fleetwatch.SiteRiskRow) int{
	"risk": func(a, b *fleetwatch.SiteRiskRow) int { return cmp.Compare(a.Risk, b.Risk) },
	"site_name": func(a, b *fleetwatch.SiteRiskRow) int {
		return cmp.Compare(strings.ToLower(a.SiteName), strings.ToLower(b.SiteName))
	},
	"worst_severity": func(a, b *fleetwatch.SiteRiskRow) int {
		return cmp.Compare(fleetwatch.SeverityRank(a.WorstSeverity), fleetwatch.SeverityRank(b.WorstSeverity))
	},
	"security_updates": func(a, b *fleetwatch.SiteRiskRow) int { return cmp.Compare(a.SecurityUpdates, b.SecurityUpdates) },
	"past_due":         func(a, b *fleetwatch.SiteRiskRow) int { return cmp.Compare(a.PastDue, b.PastDue) },
	"next_due_at": func(a, b *fleetwatch.SiteRiskRow) int {
		switch { // none (all accepted) last
		case a.NextDueAt == nil && b.NextDueAt == nil:
			return 0
		case a.NextDueAt == nil:
			return 1
		case b.NextDueAt == nil:
			return -1
		}
		return a.NextDueAt.Compare(*b.NextDueAt)
	},
}

// sortSiteRisks sorts rows by sort (default: the riskiest first), then by
// site name and id, a total order.
func sortSiteRisks(rows []*fleetwatch.SiteRiskRow, by []fleetwatch.SortField) {
	if len(by) == 0 {
		by = []fleetwatch.SortField{{Field: "risk", Desc: true}}
	}
	slices.SortFunc(rows, func(a, b *fleetwatch.SiteRiskRow) int {
		for _, f := range by {
			if c := siteRiskOrder[f.Field](a, b); c != 0 {
				if f.Desc {
					return -c
				}
				return c
			}
		}
		if c := siteRiskOrder["site_name"](a, b); c != 0 {
			return c
		}
		return cmp.Compare(a.SiteUUID, b.SiteUUID)
	})
}

// Compliance answers the SLA compliance per organization and per site over
// the period: exposures closed, % within deadline, time to patch (mean,
// median, p90, in hours from the start of the SLA clock), open breaches.
func (s *Reports) Compliance(ctx context.Context, in ScopeInput) ([]*fleetwatch.ComplianceRow, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, err
	}
	return cached(ctx, s, "sla-compliance", sc, "", func() ([]*fleetwatch.ComplianceRow, error) { return s.compliance(ctx, sc) })
}

func (s *Reports) compliance(ctx context.Context, sc fleetwatch.ReportScope) ([]*fleetwatch.ComplianceRow, error) {
	f, err := s.Store.ComplianceFacts(ctx, sc)
	if err != nil {
		return nil, err
	}
	return complianceRows(f), nil
}

// complianceRows computes the report from its facts: a row per
// organization and per site with a closure or an open breach, each
// organization followed by its sites, both by name (then uuid: a total
// order). A fleet has thousands of sites: groups are indexes (the
// organizations', then the sites'), and every group's hours are placed in
// one array by a counting sort, so that no group costs an allocation.
func complianceRows(f *fleetwatch.ComplianceFacts) []*fleetwatch.ComplianceRow {
	g := groupCompliance(f)
	// The groups shown, in the report's order.
	shown := make([]int, 0, len(g.tally))
	for i, t := range g.tally {
		if t.closed > 0 || t.open > 0 {
			shown = append(shown, i)
		}
	}
	sortCompliance(f, g, shown)

	nOrgs := len(f.Organizations)
	rows := make([]fleetwatch.ComplianceRow, len(shown))
	stats := make([]float64, 4*len(shown))
	out := make([]*fleetwatch.ComplianceRow, len(shown))
	for i, grp := range shown {
		r, st, t := &rows[i], stats[4*i:4*i+4], g.tally[grp]
		o := &f.Organizations[g.parent[grp]]
		r.Scope, r.OrganizationUUID, r.OrganizationName = "organization", o.UUID, o.Name
		if grp >= nOrgs {
			site := &f.Sites[grp-nOrgs]
			r.Scope, r.SiteUUID, r.SiteName = "site", site.UUID, site.Name
		}
		r.Closed, r.Within, r.Breached, r.OpenBreaches = t.closed, t.within, t.closed-t.within, t.open
		if r.Closed > 0 {
			h := g.hours[g.start[grp]:g.start[grp+1]]
			slices.Sort(h)
			st[0], st[1], st[2], st[3] = round1(100*float64(r.Within)/float64(r.Closed)), round1(mean(h)), round1(percentile(h, 50)), round1(percentile(h, 90))
			r.CompliancePct, r.MeanHours, r.MedianHours, r.P90Hours = &st[0], &st[1], &st[2], &st[3]
		}
		out[i] = r
	}
	return out
}

// complianceGroups are the facts tallied by group: the organizations'
// indexes, then the sites' after them.
type complianceGroups struct {
	// parent[g] is the group of g's organization (an organization's is
	// its own).
	parent []int
	tally  []complianceTally
	// Group g's hours to patch are hours[start[g]:start[g+1]].
	hours []float64
	start []int
}

// complianceTally is a group's exposures closed, closed within their
// deadline, and open past it.
type complianceTally struct{ closed, within, open int }

// groupCompliance tallies the breaches and closures of the sites named by
// site and organization, leaving out the others'.
func groupCompliance(f *fleetwatch.ComplianceFacts) *complianceGroups {
	nOrgs, n := len(f.Organizations), len(f.Organizations)+len(f.Sites)
	g := &complianceGroups{parent: make([]int, n)}
	orgGroup := make(map[int64]int, nOrgs)
	for i, o := range f.Organizations {
		orgGroup[o.ID], g.parent[i] = i, i
	}
	siteGroup := make(map[int64]int, len(f.Sites))
	for i, site := range f.Sites {
		if o, ok := orgGroup[site.OrganizationID]; ok {
			g.parent[nOrgs+i] = o
			siteGroup[site.ID] = nOrgs + i
		}
	}
	g.tally = make([]complianceTally, n)
	for _, id := range f.Breaches {
		if s, ok := siteGroup[id]; ok {
			g.tally[s].open++
			g.tally[g.parent[s]].open++
		}
	}
	// The site group of each closure, -1 for one of a site not named.
	closedAt := make([]int, len(f.Closures))
	for i, c := range f.Closures {
		s, ok := siteGroup[c.SiteID]
		if !ok {
			closedAt[i] = -1
			continue
		}
		closedAt[i] = s
		for _, grp := range [2]int{s, g.parent[s]} {
			g.tally[grp].closed++
			if c.Within {
				g.tally[grp].within++
			}
		}
	}
	g.start = make([]int, n+1)
	for grp, t := range g.tally {
		g.start[grp+1] = g.start[grp] + t.closed
	}
	g.hours = make([]float64, g.start[n])
	next := slices.Clone(g.start[:n])
	for i, c := range f.Closures {
		if s := closedAt[i]; s >= 0 {
			h := c.ResolvedAt.Sub(c.ClockStartedAt).Hours()
			for _, grp := range [2]int{s, g.parent[s]} {
				g.hours[next[grp]] = h
				next[grp]++
			}
		}
	}
	return g
}

// sortCompliance puts groups (of g) in the report's order: organizations
// by name, each followed by its sites by name, uuids breaking ties. The
// organizations are few: they are ranked once, and the groups compared by
// rank.
func sortCompliance(f *fleetwatch.ComplianceFacts, g *complianceGroups, groups []int) {
	parent := g.parent
	nOrgs := len(f.Organizations)
	byName := make([]int, nOrgs)
	for i := range byName {
		byName[i] = i
	}
	slices.SortFunc(byName, func(a, b int) int {
		oa, ob := &f.Organizations[a], &f.Organizations[b]
		return cmp.Or(strings.Compare(oa.Name, ob.Name), strings.Compare(oa.UUID, ob.UUID))
	})
	rank := make([]int, nOrgs)
	for r, o := range byName {
		rank[o] = r
	}
	slices.SortFunc(groups, func(a, b int) int {
		if c := cmp.Compare(rank[parent[a]], rank[parent[b]]); c != 0 {
			return c
		}
		if a < nOrgs || b < nOrgs { // the organization, the lower group, first
			return cmp.Compare(a, b)
		}
		sa, sb := &f.Sites[a-nOrgs], &f.Sites[b-nOrgs]
		if c := strings.Compare(sa.Name, sb.Name); c != 0 {
			return c
		}
		return strings.Compare(sa.UUID, sb.UUID)
	})
}

// Trends answers one row per day of the period, computed from the
// exposures' lives and the inventory history, so any past day can be asked.
func (s *Reports) Trends(ctx context.Context, in ScopeInput) ([]*fleetwatch.TrendRow, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, err
	}
	sc.From = sc.From.Truncate(24 * time.Hour)
	return cached(ctx, s, "trends", sc, "", func() ([]*fleetwatch.TrendRow, error) { return s.trends(ctx, sc) })
}

func (s *Reports) trends(ctx context.Context, sc fleetwatch.ReportScope) ([]*fleetwatch.TrendRow, error) {
	// Exposures are counted by day in the database: a fleet's or an
	// organization's from its counters before today, a site's and today's
	// live. Outdated updates
	// are many: an organization's or the fleet's come from the daily
	// rollups; a site's, or any period the rollups do not cover yet, from
	// history.
	counts, err := s.Store.ExposureTrendDays(ctx, sc)
	if err != nil {
		return nil, err
	}
	rows := exposureTrendsFromDays(sc, counts)
	if sc.SiteID == 0 {
		ok, err := s.rolledUpOutdated(ctx, sc, rows)
		if err == nil && !ok {
			// Not rolled up yet (a new server): wait for the run in
			// progress (started with the server), or roll up once.
			if err = s.ensureRollups(ctx); err == nil {
				ok, err = s.rolledUpOutdated(ctx, sc, rows)
			}
		}
		if err != nil {
			return nil, err
		} else if ok {
			return rows, nil
		}
	}
	outdated, err := s.Store.OutdatedSpans(ctx, sc)
	if err != nil {
		return nil, err
	}
	for i, d := range outdatedSeries(sc, outdated) {
		rows[i].OutdatedUpdates = d.Outdated
		rows[i].MedianLagDays = medianLag(d.LagHistogram)
	}
	return rows, nil
}

// exposureTrendsFromDays counts, for each day, the exposures open, new,
// resolved and overdue from the instants counted by day: a running sum per
// kind gives what is before each day's start and end.
func exposureTrendsFromDays(sc fleetwatch.ReportScope, counts *fleetwatch.ExposureDays) []*fleetwatch.TrendRow {
	days, _ := trendDays(sc)
	out := make([]*fleetwatch.TrendRow, len(days))
	cum := counts.Before // instants before the day's end (or now)
	for i, day := range days {
		row := &fleetwatch.TrendRow{Day: day.Format(time.DateOnly)}
		start := cum // instants before the day's start
		if c := counts.Days[row.Day]; c != nil {
			for k := range cum {
				cum[k] += c[k]
			}
		}
		row.OpenSecurity = cum[fleetwatch.InstantDetected] - cum[fleetwatch.InstantResolved]
		row.NewExposures = cum[fleetwatch.InstantDetected] - start[fleetwatch.InstantDetected]
		row.Resolved = cum[fleetwatch.InstantResolved] - start[fleetwatch.InstantResolved]
		row.Overdue = cum[fleetwatch.InstantOverdueFrom] - cum[fleetwatch.InstantOverdueTo]
		if row.Resolved > 0 {
			within := cum[fleetwatch.InstantResolvedWithin] - start[fleetwatch.InstantResolvedWithin]
			row.CompliancePct = ptr(round1(100 * float64(within) / float64(row.Resolved)))
		}
		out[i] = row
	}
	return out
}

// trendDays returns the start of each day of the period up to now, and the
// end each day's figures are taken at (its midnight, or now for today).
func trendDays(sc fleetwatch.ReportScope) (days, ends []time.Time) {
	for day := sc.From; day.Before(sc.To) && day.Before(sc.Now); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1)
		if end.After(sc.Now) {
			end = sc.Now
		}
		days, ends = append(days, day), append(ends, end)
	}
	return days, ends
}

// MaxLagDays is the last bucket of lag histograms: longer lags count there.
const MaxLagDays = 730

// outdatedSeries counts, for each day, the outdated (site, project) pairs
// open at the day's end, with a histogram of how many calendar days each has
// been outstanding (the day it started counts as the first).
func outdatedSeries(sc fleetwatch.ReportScope, spans []fleetwatch.OutdatedSpan) []fleetwatch.DailyOutdated {
	var t fleetwatch.OutdatedTimes
	for _, o := range spans {
		t.Add(o.From, o.To)
	}
	return outdatedSeriesOf(sc, &t)
}

// outdatedSeriesOf is outdatedSeries over compact times (16 bytes an
// interval: a rollup of 150,000 intervals holds 2.4 MB, not 15). It keeps
// the open intervals' start days in buckets, so a day costs O(buckets).
func outdatedSeriesOf(sc fleetwatch.ReportScope, t *fleetwatch.OutdatedTimes) []fleetwatch.DailyOutdated {
	days, ends := trendDays(sc)
	if len(days) == 0 {
		return nil
	}
	origin := days[0].AddDate(0, 0, -MaxLagDays).UnixNano() // bucket 0: started on or before this day
	const day = int64(24 * time.Hour)
	dayIndex := func(ns int64) int {
		return int(max(0, (ns-origin)/day))
	}
	// Starts, and the (end, start) of the closed intervals, each sorted.
	starts := slices.Clone(t.From)
	slices.Sort(starts)
	type closed struct{ end, start int64 }
	var ended []closed
	for i, to := range t.To {
		if to != fleetwatch.OpenEnd {
			ended = append(ended, closed{to, t.From[i]})
		}
	}
	slices.SortFunc(ended, func(a, b closed) int { return cmp.Compare(a.end, b.end) })
	open := map[int]int{} // start day → open intervals
	total, added, removed := 0, 0, 0
	out := make([]fleetwatch.DailyOutdated, len(days))
	for i, d := range days {
		end := ends[i].UnixNano()
		for added < len(starts) && starts[added] < end {
			open[dayIndex(starts[added])]++
			total++
			added++
		}
		for removed < len(ended) && ended[removed].end < end {
			open[dayIndex(ended[removed].start)]--
			total--
			removed++
		}
		today := dayIndex(d.UnixNano())
		hist := make([]int, MaxLagDays+1)
		for start, n := range open {
			if n > 0 {
				hist[min(MaxLagDays, today-start+1)] += n
			}
		}
		out[i] = fleetwatch.DailyOutdated{Day: d.Format(time.DateOnly), Outdated: total, LagHistogram: hist}
	}
	return out
}

// medianLag returns the median of a lag histogram, nil when it is empty.
func medianLag(hist []int) *float64 {
	n := 0
	for _, c := range hist {
		n += c
	}
	if n == 0 {
		return nil
	}
	at := func(rank int) int { // the value of the rank-th smallest (1-based)
		for lag, c := range hist {
			if rank <= c {
				return lag
			}
			rank -= c
		}
		return len(hist) - 1
	}
	m := float64(at((n+1)/2)+at(n/2+1)) / 2
	return &m
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// countBefore returns how many of the sorted xs are below x.
func countBefore(xs []int64, x int64) int {
	i, _ := slices.BinarySearch(xs, x)
	return i
}

// ModuleUsage lists the sites that run a project, with their versions.
func (s *Reports) ModuleUsage(ctx context.Context, in ScopeInput, project string, opts fleetwatch.ListOptions) ([]*fleetwatch.ModuleUsageRow, int, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.ModuleUsage(ctx, sc, project, opts)
}

// ModuleUsageByVersion counts the sites that run a project by version.
func (s *Reports) ModuleUsageByVersion(ctx context.Context, in ScopeInput, project string) ([]*fleetwatch.ModuleUsageSummary, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, err
	}
	rows, _, err := s.Store.ModuleUsage(ctx, sc, project, fleetwatch.ListOptions{PerPage: math.MaxInt32})
	if err != nil {
		return nil, err
	}
	byVersion := map[string]*fleetwatch.ModuleUsageSummary{}
	for _, r := range rows {
		v, ok := byVersion[r.Version]
		if !ok {
			v = &fleetwatch.ModuleUsageSummary{Version: r.Version}
			byVersion[r.Version] = v
		}
		v.Sites++
		if r.UpdateAvailable {
			v.Behind++
		}
		if r.SecurityUpdate {
			v.Insecure++
		}
	}
	out := make([]*fleetwatch.ModuleUsageSummary, 0, len(byVersion))
	for _, v := range byVersion {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Sites != out[j].Sites {
			return out[i].Sites > out[j].Sites
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}

// PatchRuns lists the patch runs of the period with what they closed.
func (s *Reports) PatchRuns(ctx context.Context, in ScopeInput, opts fleetwatch.ListOptions) ([]*fleetwatch.PatchRunReportRow, int, error) {
	sc, err := s.Scope(ctx, in)
	if err != nil {
		return nil, 0, err
	}
	return s.Store.PatchRunReport(ctx, sc, opts)
}

func ptr[T any](v T) *T { return &v }

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// percentile returns the p-th percentile of s, sorted, by linear
// interpolation.
func percentile(s []float64, p float64) float64 {
	rank := p / 100 * float64(len(s)-1)
	lo := int(math.Floor(rank))
	hi := int(math.Ceil(rank))
	return s[lo] + (s[hi]-s[lo])*(rank-float64(lo))
}

// PlatformSupport lists the PHP and Drupal core versions of the sites in
// scope that are unsupported or reach their end of life within 90 days,
// judged now (product "php" or "drupal": only that one). The period of the
// scope does not apply: sites report their platforms as they are.
func (s *Reports) PlatformSupport(ctx context.Context, in ScopeInput, product string) ([]*fleetwatch.PlatformReportRow, error) {
	if product != "" && product != fleetwatch.PlatformPHP && product != fleetwatch.PlatformDrupal {
		var v fleetwatch.Validation
		v.AddParam("product", "product must be php or drupal")
		return nil, v.Err()
	}
	sc, err := s.Scope(ctx, ScopeInput{OrganizationID: in.OrganizationID, SiteID: in.SiteID})
	if err != nil {
		return nil, err
	}
	return s.Platforms.Report(ctx, sc, product)
}
