package service

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/google/go-cmp/cmp"
)

// fakeReportStore serves fixed exposure and history data; the methods the
// tests do not use panic through the nil embedded interface.
type fakeReportStore struct {
	ReportsStore
	spans      []fleetwatch.ExposureSpan
	outdated   []fleetwatch.OutdatedSpan
	compliance *fleetwatch.ComplianceFacts
	updates    []*fleetwatch.SecurityUpdateRow
	// byOrg holds outdated spans per organization, for the rollup tests;
	// outdated is used when it is nil.
	byOrg             map[int64][]fleetwatch.OutdatedSpan
	rollups           map[int64]map[string]fleetwatch.DailyOutdated
	liveOutdatedCalls int
}

func (f *fakeReportStore) DailyOutdated(_ context.Context, orgID int64, from, to string) ([]fleetwatch.DailyOutdated, error) {
	var out []fleetwatch.DailyOutdated
	for id, days := range f.rollups {
		if orgID != 0 && id != orgID {
			continue
		}
		for day, r := range days {
			if day >= from && day <= to {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func (f *fakeReportStore) EachDailyOutdated(ctx context.Context, orgID int64, from, to string, fn func(*fleetwatch.DailyOutdated) error) error {
	rows, _ := f.DailyOutdated(ctx, orgID, from, to)
	for i := range rows {
		if err := fn(&rows[i]); err != nil {
			return err
		}
	}
	return nil
}

func (f *fakeReportStore) DailyOutdatedStamps(ctx context.Context, orgID int64, from, to string) ([]fleetwatch.DailyOutdated, error) {
	rows, err := f.DailyOutdated(ctx, orgID, from, to)
	for i := range rows {
		rows[i].LagHistogram = nil
	}
	return rows, err
}

func (f *fakeReportStore) SaveDailyOutdated(_ context.Context, rows []fleetwatch.DailyOutdated) error {
	if f.rollups == nil {
		f.rollups = map[int64]map[string]fleetwatch.DailyOutdated{}
	}
	for _, r := range rows {
		if f.rollups[r.OrganizationID] == nil {
			f.rollups[r.OrganizationID] = map[string]fleetwatch.DailyOutdated{}
		}
		f.rollups[r.OrganizationID][r.Day] = r
	}
	return nil
}

func (f *fakeReportStore) RollupOrganizations(context.Context) ([]int64, error) {
	var out []int64
	for id, spans := range f.byOrg {
		if len(spans) > 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

func (f *fakeReportStore) ExposureSpans(context.Context, fleetwatch.ReportScope) ([]fleetwatch.ExposureSpan, error) {
	return f.spans, nil
}

func (f *fakeReportStore) ExposureTrendDays(ctx context.Context, sc fleetwatch.ReportScope) (*fleetwatch.ExposureDays, error) {
	return f.ExposureDays(ctx, sc)
}

func (f *fakeReportStore) CompactExposureCounters(context.Context) error { return nil }
func (f *fakeReportStore) RefreshStatistics(context.Context) error       { return nil }

func (f *fakeReportStore) ExposureDays(_ context.Context, sc fleetwatch.ReportScope) (*fleetwatch.ExposureDays, error) {
	return fleetwatch.CountExposureDays(f.spans, sc.From, sc.Now), nil
}

func (f *fakeReportStore) OutdatedSpans(_ context.Context, sc fleetwatch.ReportScope) ([]fleetwatch.OutdatedSpan, error) {
	f.liveOutdatedCalls++
	if f.byOrg == nil {
		return f.outdated, nil
	}
	var out []fleetwatch.OutdatedSpan
	for id, spans := range f.byOrg {
		if sc.OrganizationID == 0 || sc.OrganizationID == id {
			out = append(out, spans...)
		}
	}
	return out, nil
}

func (f *fakeReportStore) OutdatedTimes(ctx context.Context, sc fleetwatch.ReportScope) (*fleetwatch.OutdatedTimes, error) {
	spans, err := f.OutdatedSpans(ctx, sc)
	var t fleetwatch.OutdatedTimes
	for _, o := range spans {
		t.Add(o.From, o.To)
	}
	return &t, err
}

func (f *fakeReportStore) ComplianceFacts(context.Context, fleetwatch.ReportScope) (*fleetwatch.ComplianceFacts, error) {
	return f.compliance, nil
}

func day(d int, hour int) time.Time { return time.Date(2026, 11, d, hour, 0, 0, 0, time.UTC) }

func tp(t time.Time) *time.Time { return &t }

func adminCtx() context.Context {
	return fleetwatch.NewContextWithActor(context.Background(), &fleetwatch.Actor{UserID: 1, Role: fleetwatch.RoleAdmin})
}

func TestReports_Trends(t *testing.T) {
	store := &fakeReportStore{
		spans: []fleetwatch.ExposureSpan{
			// Opened on the 1st, due the 4th, resolved late on the 5th.
			{DetectedAt: day(1, 10), DueAt: day(4, 10), ResolvedAt: tp(day(5, 9)), Outcome: "breached"},
			// Opened on the 2nd, resolved within on the 3rd.
			{DetectedAt: day(2, 8), DueAt: day(9, 8), ResolvedAt: tp(day(3, 12)), Outcome: "within"},
			// Opened on the 4th, still open.
			{DetectedAt: day(4, 23), DueAt: day(5, 23)},
		},
		outdated: []fleetwatch.OutdatedSpan{
			{SiteID: 1, ModuleID: 1, From: day(1, 0), To: tp(day(3, 0))},
			{SiteID: 2, ModuleID: 1, From: day(2, 0)},
		},
	}
	r := &Reports{Store: store, Now: func() time.Time { return day(5, 12) }}
	rows, err := r.Trends(adminCtx(), ScopeInput{From: "2026-11-01", To: "2026-11-05"})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Day                                   string
		Open, New, Resolved, Overdue, Outdate int
		Compliance, Lag                       float64
	}
	var got []row
	for _, x := range rows {
		r := row{Day: x.Day, Open: x.OpenSecurity, New: x.NewExposures, Resolved: x.Resolved, Overdue: x.Overdue, Outdate: x.OutdatedUpdates}
		if x.CompliancePct != nil {
			r.Compliance = *x.CompliancePct
		}
		if x.MedianLagDays != nil {
			r.Lag = *x.MedianLagDays
		}
		got = append(got, r)
	}
	want := []row{
		{Day: "2026-11-01", Open: 1, New: 1, Outdate: 1, Lag: 1},
		{Day: "2026-11-02", Open: 2, New: 1, Outdate: 2, Lag: 1.5},
		{Day: "2026-11-03", Open: 1, Resolved: 1, Compliance: 100, Outdate: 1, Lag: 2}, // site 1 updated at 00:00 on the 3rd
		{Day: "2026-11-04", Open: 2, New: 1, Overdue: 1, Outdate: 1, Lag: 3},
		// The 5th is today: counted up to now (12:00); lags are calendar days.
		{Day: "2026-11-05", Open: 1, Resolved: 1, Compliance: 0, Overdue: 0, Outdate: 1, Lag: 4},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("trends (-want +got):\n%s", diff)
	}
}

func TestReports_Compliance(t *testing.T) {
	at := func(site int64, hours float64, outcome string) fleetwatch.Closure {
		return fleetwatch.Closure{SiteID: site, ClockStartedAt: day(1, 0), ResolvedAt: day(1, 0).Add(time.Duration(hours * float64(time.Hour))),
			Within: outcome == fleetwatch.SLAWithin}
	}
	store := &fakeReportStore{compliance: &fleetwatch.ComplianceFacts{
		Organizations: []fleetwatch.ComplianceOrganization{{ID: 1, UUID: "o1", Name: "Acme"}},
		// b before a, and a site with nothing to report: the rows are by
		// name, and only the sites with a closure or a breach.
		Sites:    []fleetwatch.ComplianceSite{{ID: 12, OrganizationID: 1, UUID: "b", Name: "Site b"}, {ID: 11, OrganizationID: 1, UUID: "a", Name: "Site a"}, {ID: 13, OrganizationID: 1, UUID: "c", Name: "Site c"}},
		Closures: []fleetwatch.Closure{at(11, 10, "within"), at(11, 20, "within"), at(12, 100, "breached"), at(12, 30, "within"), at(99, 5, "within")},
		Breaches: []int64{12, 99},
	}}
	r := &Reports{Store: store, Now: func() time.Time { return day(20, 0) }}
	rows, err := r.Compliance(adminCtx(), ScopeInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Scope != "organization" || rows[1].SiteUUID != "a" || rows[2].SiteUUID != "b" {
		t.Fatalf("rows %+v", rows)
	}
	o := rows[0]
	if o.Closed != 4 || o.Within != 3 || o.Breached != 1 || *o.CompliancePct != 75 || o.OpenBreaches != 1 {
		t.Errorf("organization row %+v", o)
	}
	// Hours 10, 20, 30, 100: mean 40, median 25, p90 79.
	if *o.MeanHours != 40 || *o.MedianHours != 25 || *o.P90Hours != 79 {
		t.Errorf("time to patch: mean %v median %v p90 %v", *o.MeanHours, *o.MedianHours, *o.P90Hours)
	}
	if b := rows[2]; *b.CompliancePct != 50 || b.OpenBreaches != 1 {
		t.Errorf("site b %+v", b)
	}
}

// TestReports_ComplianceOrder checks the rows' order: organizations by
// name, each followed by its sites by name, uuids breaking ties.
func TestReports_ComplianceOrder(t *testing.T) {
	closed := func(site int64) fleetwatch.Closure {
		return fleetwatch.Closure{SiteID: site, ClockStartedAt: day(1, 0), ResolvedAt: day(2, 0), Within: true}
	}
	store := &fakeReportStore{compliance: &fleetwatch.ComplianceFacts{
		Organizations: []fleetwatch.ComplianceOrganization{{ID: 1, UUID: "o1", Name: "Zeta"}, {ID: 2, UUID: "o3", Name: "Alpha"}, {ID: 3, UUID: "o2", Name: "Alpha"}},
		Sites: []fleetwatch.ComplianceSite{{ID: 10, OrganizationID: 1, UUID: "s1", Name: "b"}, {ID: 11, OrganizationID: 1, UUID: "s2", Name: "a"},
			{ID: 12, OrganizationID: 2, UUID: "s4", Name: "c"}, {ID: 13, OrganizationID: 2, UUID: "s3", Name: "c"}, {ID: 14, OrganizationID: 3, UUID: "s5", Name: "z"}},
		Closures: []fleetwatch.Closure{closed(10), closed(12), closed(14)},
		Breaches: []int64{11, 13},
	}}
	r := &Reports{Store: store, Now: func() time.Time { return day(20, 0) }}
	rows, err := r.Compliance(adminCtx(), ScopeInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows {
		got = append(got, row.OrganizationUUID+"/"+row.SiteUUID)
	}
	want := []string{"o2/", "o2/s5", "o3/", "o3/s3", "o3/s4", "o1/", "o1/s2", "o1/s1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func (f *fakeReportStore) EachOpenDeadline(_ context.Context, _ fleetwatch.ReportScope, _ string, fn func(*fleetwatch.OpenDeadline) error) error {
	for _, u := range f.updates {
		if err := fn(&fleetwatch.OpenDeadline{SiteID: int64(u.SiteUUID[0]), SiteUUID: u.SiteUUID, SiteName: u.SiteName, Severity: u.Severity,
			DueAt: u.DueAt, ClockStartedAt: u.ClockStartedAt, AcceptedUntil: u.AcceptedUntil}); err != nil {
			return err
		}
	}
	return nil
}

// TestReports_SiteRisks ranks sites as the overview shows them: past due
// first, an accepted risk neither past due nor next (unless breached before
// it was accepted), then the worst severity and the count.
func TestReports_SiteRisks(t *testing.T) {
	now := day(20, 0)
	until := now.Add(72 * time.Hour)
	u := func(site, severity string, dueDays int, accepted bool) *fleetwatch.SecurityUpdateRow {
		r := &fleetwatch.SecurityUpdateRow{SiteUUID: site, SiteName: "Site " + site, Severity: severity,
			DetectedAt: now.AddDate(0, 0, -30), ClockStartedAt: now.AddDate(0, 0, -30), DueAt: now.AddDate(0, 0, dueDays)}
		if accepted {
			r.AcceptedUntil = &until
		}
		return r
	}
	store := &fakeReportStore{updates: []*fleetwatch.SecurityUpdateRow{
		u("a", fleetwatch.SeverityCritical, 10, false),
		u("a", fleetwatch.SeverityHighlyCritical, 5, true), // accepted: not next
		u("b", fleetwatch.SeverityLessCritical, -3, false), // past due
		u("c", fleetwatch.SeverityCritical, -5, true),      // breached, then accepted: still past due
		u("d", "", 30, false),                              // no severity: critical
	}}
	r := &Reports{Store: store, Now: func() time.Time { return now }}
	rows, total, err := r.SiteRisks(adminCtx(), ScopeInput{}, fleetwatch.ListOptions{PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows {
		got = append(got, row.SiteUUID)
	}
	// b and c past due (c more severe), then a (highly critical), then d.
	if total != 4 || strings.Join(got, ",") != "c,b,a,d" {
		t.Fatalf("order %v of %d; want c,b,a,d of 4", got, total)
	}
	a := rows[2]
	if a.SecurityUpdates != 2 || a.Accepted != 1 || a.PastDue != 0 || a.WorstSeverity != fleetwatch.SeverityHighlyCritical ||
		a.NextDueAt == nil || !a.NextDueAt.Equal(now.AddDate(0, 0, 10)) {
		t.Errorf("site a %+v", a)
	}
	if c := rows[0]; c.PastDue != 1 || c.Accepted != 0 {
		t.Errorf("site c (breached before its acceptance) %+v", c)
	}
	if d := rows[3]; d.WorstSeverity != fleetwatch.SeverityCritical {
		t.Errorf("site d (no severity) %+v", d)
	}
	// Sorted by the next deadline, one page of two.
	rows, _, err = r.SiteRisks(adminCtx(), ScopeInput{}, fleetwatch.ListOptions{PerPage: 2, Sort: []fleetwatch.SortField{{Field: "next_due_at"}}})
	if err != nil || len(rows) != 2 || rows[0].SiteUUID != "c" || rows[1].SiteUUID != "b" {
		t.Errorf("by next deadline: %+v %v", rows, err)
	}
}

func TestReports_ScopeValidation(t *testing.T) {
	r := &Reports{Store: &fakeReportStore{}, Now: func() time.Time { return day(20, 0) }}
	for _, in := range []ScopeInput{
		{From: "yesterday"},
		{To: "2026-13-01"},
		{From: "2026-11-10", To: "2026-11-01"},
		{From: "2024-01-01", To: "2026-11-01"},
	} {
		if _, err := r.Scope(adminCtx(), in); fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Errorf("Scope(%+v) = %v, want EINVALID", in, err)
		}
	}
	sc, err := r.Scope(adminCtx(), ScopeInput{From: "2026-11-01", To: "2026-11-05"})
	if err != nil || !sc.From.Equal(day(1, 0)) || !sc.To.Equal(day(6, 0)) {
		t.Errorf("period %v – %v, %v", sc.From, sc.To, err)
	}
}

// naiveTrends is the plain definition of each trend figure, day by day.
func naiveTrends(sc fleetwatch.ReportScope, spans []fleetwatch.ExposureSpan, outdated []fleetwatch.OutdatedSpan) []*fleetwatch.TrendRow {
	var out []*fleetwatch.TrendRow
	for day := sc.From; day.Before(sc.To) && day.Before(sc.Now); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1)
		if end.After(sc.Now) {
			end = sc.Now
		}
		row := &fleetwatch.TrendRow{Day: day.Format(time.DateOnly)}
		within := 0
		for _, e := range spans {
			if e.DetectedAt.Before(end) && (e.ResolvedAt == nil || !e.ResolvedAt.Before(end)) {
				row.OpenSecurity++
				if e.DueAt.Before(end) {
					row.Overdue++
				}
			}
			if !e.DetectedAt.Before(day) && e.DetectedAt.Before(end) {
				row.NewExposures++
			}
			if e.ResolvedAt != nil && !e.ResolvedAt.Before(day) && e.ResolvedAt.Before(end) {
				row.Resolved++
				if e.Outcome == "within" {
					within++
				}
			}
		}
		if row.Resolved > 0 {
			row.CompliancePct = ptr(round1(100 * float64(within) / float64(row.Resolved)))
		}
		var lags []float64
		for _, o := range outdated {
			if o.From.Before(end) && (o.To == nil || !o.To.Before(end)) {
				row.OutdatedUpdates++
				// Calendar days outstanding, the first day included.
				lags = append(lags, math.Floor(day.Sub(o.From.Truncate(24*time.Hour)).Hours()/24)+1)
			}
		}
		if len(lags) > 0 {
			slices.Sort(lags)
			row.MedianLagDays = ptr(round1(percentile(lags, 50)))
		}
		out = append(out, row)
	}
	return out
}

func TestComputeTrends_MatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	start := day(1, 0).AddDate(0, -3, 0)
	at := func(maxDays int) time.Time { return start.Add(time.Duration(rng.IntN(maxDays*24)) * time.Hour) }
	for round := range 20 {
		var spans []fleetwatch.ExposureSpan
		for range rng.IntN(60) {
			e := fleetwatch.ExposureSpan{DetectedAt: at(100)}
			e.DueAt = e.DetectedAt.Add(time.Duration(rng.IntN(20*24)-48) * time.Hour)
			if rng.IntN(3) > 0 {
				r := e.DetectedAt.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
				e.ResolvedAt = &r
				e.Outcome = []string{"within", "breached"}[rng.IntN(2)]
			}
			spans = append(spans, e)
		}
		var outdated []fleetwatch.OutdatedSpan
		for range rng.IntN(80) {
			o := fleetwatch.OutdatedSpan{From: at(100)}
			if rng.IntN(2) == 0 {
				to := o.From.Add(time.Duration(1+rng.IntN(40*24)) * time.Hour)
				o.To = &to
			}
			outdated = append(outdated, o)
		}
		sc := fleetwatch.ReportScope{From: start.AddDate(0, 0, 10), To: start.AddDate(0, 0, 90), Now: start.AddDate(0, 0, 85).Add(7 * time.Hour)}
		if diff := cmp.Diff(naiveTrends(sc, spans, outdated), computeTrends(sc, spans, outdated)); diff != "" {
			t.Fatalf("round %d (-definition +sweep):\n%s", round, diff)
		}
		byDay := exposureTrendsFromDays(sc, fleetwatch.CountExposureDays(spans, sc.From, sc.Now))
		if diff := cmp.Diff(exposureTrends(sc, spans), byDay); diff != "" {
			t.Fatalf("round %d (-sweep +by day):\n%s", round, diff)
		}
	}
}

// TestReports_TrendsFromRollups checks that trends read from the daily
// rollups, merged across organizations, say what the live computation says.
func TestReports_TrendsFromRollups(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	now := day(25, 15)
	store := &fakeReportStore{byOrg: map[int64][]fleetwatch.OutdatedSpan{}}
	for org := int64(1); org <= 3; org++ {
		for range 40 {
			o := fleetwatch.OutdatedSpan{From: now.Add(-time.Duration(rng.IntN(200*24)) * time.Hour)}
			if rng.IntN(2) == 0 {
				to := o.From.Add(time.Duration(1+rng.IntN(60*24)) * time.Hour)
				if to.Before(now) {
					o.To = &to
				}
			}
			store.byOrg[org] = append(store.byOrg[org], o)
		}
	}
	r := &Reports{Store: store, Now: func() time.Time { return now }}
	in := ScopeInput{From: now.AddDate(0, 0, -90).Format(time.DateOnly)}
	live, err := r.Trends(adminCtx(), in) // no rollups yet: computed live
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Rollup(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := store.liveOutdatedCalls
	rolled, err := r.Trends(adminCtx(), in)
	if err != nil {
		t.Fatal(err)
	}
	if store.liveOutdatedCalls != calls {
		t.Errorf("trends read history although rollups cover the period")
	}
	if diff := cmp.Diff(live, rolled); diff != "" {
		t.Errorf("rollups disagree with the live computation (-live +rollups):\n%s", diff)
	}
	// Days answered from memory say the same; a recomputed day is read again.
	again, err := r.Trends(adminCtx(), in)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rolled, again); diff != "" {
		t.Errorf("remembered days differ (-read +remembered):\n%s", diff)
	}
	last := again[len(again)-1]
	re := store.rollups[1][last.Day]
	re.Outdated, re.LagHistogram, re.ComputedAt = re.Outdated+1000, append(make([]int, 400), 1000), now.Add(time.Minute)
	store.rollups[1][last.Day] = re
	changed, err := r.Trends(adminCtx(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := changed[len(changed)-1]; got.OutdatedUpdates != last.OutdatedUpdates+1000 || got.MedianLagDays == nil || *got.MedianLagDays < 300 {
		t.Errorf("a recomputed day was answered from memory: %d outdated, median %v", got.OutdatedUpdates, got.MedianLagDays)
	}
}

// The reference computations the day counts are checked against: from
// every exposure's life, as the trends were computed before the counters.

// computeTrends builds the rows of the period from the exposures' lives
// and, for the outdated updates, from outdatedSeries.
func computeTrends(sc fleetwatch.ReportScope, spans []fleetwatch.ExposureSpan, outdated []fleetwatch.OutdatedSpan) []*fleetwatch.TrendRow {
	rows := exposureTrends(sc, spans)
	for i, d := range outdatedSeries(sc, outdated) {
		rows[i].OutdatedUpdates = d.Outdated
		rows[i].MedianLagDays = medianLag(d.LagHistogram)
	}
	return rows
}

// exposureTrends counts, for each day, the exposures open, new, resolved
// and overdue, from sorted instants and binary search: O((n + days) log n).
func exposureTrends(sc fleetwatch.ReportScope, spans []fleetwatch.ExposureSpan) []*fleetwatch.TrendRow {
	var detected, resolved, resolvedWithin, overdueFrom, overdueTo []int64
	for _, e := range spans {
		detected = append(detected, e.DetectedAt.UnixNano())
		// Open and past due from the later of due and detection…
		overdueFrom = append(overdueFrom, maxTime(e.DueAt, e.DetectedAt).UnixNano())
		if e.ResolvedAt != nil {
			resolved = append(resolved, e.ResolvedAt.UnixNano())
			if e.Outcome == "within" {
				resolvedWithin = append(resolvedWithin, e.ResolvedAt.UnixNano())
			}
			// …until the later of resolution and due.
			overdueTo = append(overdueTo, maxTime(*e.ResolvedAt, e.DueAt).UnixNano())
		}
	}
	for _, xs := range [][]int64{detected, resolved, resolvedWithin, overdueFrom, overdueTo} {
		slices.Sort(xs)
	}
	days, ends := trendDays(sc)
	out := make([]*fleetwatch.TrendRow, len(days))
	for i, day := range days {
		d, e := day.UnixNano(), ends[i].UnixNano()
		row := &fleetwatch.TrendRow{Day: day.Format(time.DateOnly)}
		row.OpenSecurity = countBefore(detected, e) - countBefore(resolved, e)
		row.NewExposures = countBefore(detected, e) - countBefore(detected, d)
		row.Resolved = countBefore(resolved, e) - countBefore(resolved, d)
		row.Overdue = countBefore(overdueFrom, e) - countBefore(overdueTo, e)
		if row.Resolved > 0 {
			within := countBefore(resolvedWithin, e) - countBefore(resolvedWithin, d)
			row.CompliancePct = ptr(round1(100 * float64(within) / float64(row.Resolved)))
		}
		out[i] = row
	}
	return out
}
