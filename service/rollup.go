package service

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// Rollup timing.
const (
	// RollupInterval is how often the leader brings the rollups up to date;
	// it bounds how stale today's outdated-update figures can be.
	RollupInterval = 10 * time.Minute
	// RollupRecomputeDays are recomputed on every run even when present:
	// late (out-of-order) snapshots can still change their history.
	RollupRecomputeDays = 7
)

// Rollup brings the daily rollups of outstanding non-security updates up
// to date, for every organization: each missing day since its history
// starts (at most a year back), and the last RollupRecomputeDays again.
// It first folds the report counters and refreshes the planner's
// statistics, the database's other periodic upkeep.
func (s *Reports) Rollup(ctx context.Context) error {
	now := s.now()
	today := now.Truncate(24 * time.Hour)
	if err := s.Store.CompactExposureCounters(ctx); err != nil {
		return err
	}
	if err := s.Store.RefreshStatistics(ctx); err != nil {
		return err
	}
	orgs, err := s.Store.RollupOrganizations(ctx)
	if err != nil {
		return err
	}
	for _, id := range orgs {
		// Days before the history starts are rolled up too (as zeros), so
		// that a missing day always means "not computed yet".
		start := today.AddDate(0, 0, -MaxReportDays)
		have, err := s.Store.DailyOutdatedStamps(ctx, id, start.Format(time.DateOnly), today.Format(time.DateOnly))
		if err != nil {
			return err
		}
		present := map[string]bool{}
		for _, r := range have {
			present[r.Day] = true
		}
		from := today.AddDate(0, 0, -RollupRecomputeDays)
		for d := start; d.Before(from); d = d.AddDate(0, 0, 1) {
			if !present[d.Format(time.DateOnly)] {
				from = d
				break
			}
		}
		from = maxTime(from, start)
		sc := fleetwatch.ReportScope{OrganizationID: id, From: from, To: today.AddDate(0, 0, 1), Now: now}
		times, err := s.Store.OutdatedTimes(ctx, sc)
		if err != nil {
			return err
		}
		series := outdatedSeriesOf(sc, times)
		for i := range series {
			series[i].OrganizationID, series[i].ComputedAt = id, now
		}
		if err := s.Store.SaveDailyOutdated(ctx, series); err != nil {
			return err
		}
	}
	return nil
}

// RunRollups keeps the rollups current until ctx ends: at once (in the
// caller's goroutine, which serve runs in the background, so that the first
// trend finds a year rolled up instead of waiting for it), then every
// RollupInterval, on one replica at a time (leader runs fn under a lock
// shared by the replicas; it reports false when another holds it).
func (s *Reports) RunRollups(ctx context.Context, leader func(ctx context.Context, name string, fn func(context.Context) error) (bool, error), logger *slog.Logger) {
	run := func() {
		if _, err := leader(ctx, "report-rollups", s.rollupNow); err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "report rollups failed", "err", err)
		}
	}
	run()
	t := time.NewTicker(RollupInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			run()
		}
	}
}

// rollupNow runs Rollup, one run at a time in this process: a trend that
// finds a day not rolled up waits for the run in progress (see
// ensureRollups) instead of starting another.
func (s *Reports) rollupNow(ctx context.Context) error {
	s.rollupMu.Lock()
	defer s.rollupMu.Unlock()
	if err := s.Rollup(ctx); err != nil {
		return err
	}
	s.lastRollup = time.Now()
	return nil
}

// ensureRollups runs Rollup now unless another request is running it or
// it ran in the last minute; concurrent callers wait for the one run.
func (s *Reports) ensureRollups(ctx context.Context) error {
	s.rollupMu.Lock()
	defer s.rollupMu.Unlock()
	if time.Since(s.lastRollup) < time.Minute {
		return nil
	}
	if err := s.Rollup(ctx); err != nil {
		return err
	}
	s.lastRollup = time.Now()
	return nil
}

// rolledUpOutdated fills the outdated-update figures of rows from the daily
// rollups of the scope's organizations. It reports false when a day has no
// rollup yet, so that the caller computes the period live instead.
//
// A day's figures (the count, and the median of the organizations' merged
// lag histograms) depend only on which rollup rows make it up: it reads
// their stamps (organization, computed_at: a few KB for a year of ten
// organizations), answers the days whose stamps it has seen from memory, and
// reads and merges the histograms (731 buckets each) of the others only.
func (s *Reports) rolledUpOutdated(ctx context.Context, sc fleetwatch.ReportScope, rows []*fleetwatch.TrendRow) (bool, error) {
	if len(rows) == 0 {
		return true, nil
	}
	first, last := rows[0].Day, rows[len(rows)-1].Day
	stamps, err := s.Store.DailyOutdatedStamps(ctx, sc.OrganizationID, first, last)
	if err != nil {
		return false, err
	}
	sigs := daySignatures(stamps)
	var missing []string // days to read, in order
	for _, row := range rows {
		sig, ok := sigs[row.Day]
		if !ok {
			return false, nil
		}
		if f, ok := s.rollupMemo.get(sc.OrganizationID, row.Day, sig); ok {
			row.OutdatedUpdates = f.outdated
			if f.median != nil {
				row.MedianLagDays = ptr(*f.median) // rows are the caller's
			}
		} else {
			missing = append(missing, row.Day)
		}
	}
	if len(missing) == 0 {
		return true, nil
	}
	missed := map[string]bool{}
	for _, d := range missing {
		missed[d] = true
	}
	// Merged as they come: one histogram per missing day is held, not one
	// per organization and day.
	byDay := map[string][]int{}
	counts := map[string]int{}
	var read []fleetwatch.DailyOutdated // stamps of what was merged
	if err := s.Store.EachDailyOutdated(ctx, sc.OrganizationID, missing[0], missing[len(missing)-1], func(r *fleetwatch.DailyOutdated) error {
		if !missed[r.Day] {
			return nil
		}
		h := byDay[r.Day]
		if h == nil {
			h = make([]int, MaxLagDays+1)
			byDay[r.Day] = h
		}
		for lag, n := range r.LagHistogram {
			h[min(lag, MaxLagDays)] += n
		}
		counts[r.Day] += r.Outdated
		read = append(read, fleetwatch.DailyOutdated{OrganizationID: r.OrganizationID, Day: r.Day, Outdated: r.Outdated, ComputedAt: r.ComputedAt})
		return nil
	}); err != nil {
		return false, err
	}
	readSigs := daySignatures(read)
	for _, row := range rows {
		if !missed[row.Day] {
			continue // answered from memory
		}
		h, ok := byDay[row.Day]
		if !ok {
			return false, nil // gone meanwhile (an organization deleted)
		}
		row.OutdatedUpdates = counts[row.Day]
		row.MedianLagDays = medianLag(h)
		s.rollupMemo.put(sc.OrganizationID, row.Day, readSigs[row.Day], dayFigures{outdated: row.OutdatedUpdates, median: row.MedianLagDays})
	}
	return true, nil
}

// daySignatures identifies, per day, the rollup rows of the day: their
// organizations, computation times and counts, in any order.
func daySignatures(rows []fleetwatch.DailyOutdated) map[string]uint64 {
	out := map[string]uint64{}
	for _, r := range rows {
		h := fnv.New64a()
		var b [24]byte
		binary.LittleEndian.PutUint64(b[0:], uint64(r.OrganizationID))
		binary.LittleEndian.PutUint64(b[8:], uint64(r.ComputedAt.UnixNano()))
		binary.LittleEndian.PutUint64(b[16:], uint64(r.Outdated))
		h.Write(b[:])
		out[r.Day] += h.Sum64()
	}
	return out
}

// dayFigures are the outdated-update figures of one day of one scope.
type dayFigures struct {
	outdated int
	median   *float64
}

// rollupMemo remembers the figures of rolled-up days by scope and
// signature: a year of one scope is a few KB; it keeps rollupMemoScopes
// scopes, forgetting them all when more come.
type rollupMemo struct {
	mu     sync.Mutex
	scopes map[int64]map[string]memoEntry
}

type memoEntry struct {
	sig uint64
	dayFigures
}

const rollupMemoScopes = 64

func (m *rollupMemo) get(scope int64, day string, sig uint64) (dayFigures, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.scopes[scope][day]
	if !ok || e.sig != sig {
		return dayFigures{}, false
	}
	return e.dayFigures, true
}

func (m *rollupMemo) put(scope int64, day string, sig uint64, f dayFigures) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.scopes == nil || (m.scopes[scope] == nil && len(m.scopes) >= rollupMemoScopes) {
		m.scopes = map[int64]map[string]memoEntry{}
	}
	days := m.scopes[scope]
	if days == nil {
		days = map[string]memoEntry{}
		m.scopes[scope] = days
	}
	if len(days) > 2*MaxReportDays {
		clear(days) // days long past the longest period
	}
	days[day] = memoEntry{sig: sig, dayFigures: f}
}
