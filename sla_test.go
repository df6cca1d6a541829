package fleetwatch_test

import (
	"cmp"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

func TestComputeSLAClock(t *testing.T) {
	day := 24 * time.Hour
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	def := fleetwatch.DefaultSLAPolicy(1)
	detected := def
	detected.ClockStart = fleetwatch.SLAClockDetected
	for _, tc := range []struct {
		name      string
		in        fleetwatch.SLAInput
		policy    fleetwatch.SLAPolicy
		wantStart time.Time
		wantDue   time.Time
	}{
		{"FromPublication", fleetwatch.SLAInput{Severity: fleetwatch.SeverityCritical, PublishedAt: at(0), DetectedAt: t0.Add(2 * day)}, def, t0, t0.Add(3 * day)},
		{"FromDetection", fleetwatch.SLAInput{Severity: fleetwatch.SeverityCritical, PublishedAt: at(0), DetectedAt: t0.Add(2 * day)}, detected, t0.Add(2 * day), t0.Add(5 * day)},
		{"PublicationUnknown", fleetwatch.SLAInput{Severity: fleetwatch.SeverityHighlyCritical, DetectedAt: t0}, def, t0, t0.Add(day)},
		{"NeverBeforeFirstSeen", fleetwatch.SLAInput{Severity: fleetwatch.SeverityLessCritical, PublishedAt: at(-40 * day), DetectedAt: t0, SiteFirstSeenAt: at(-day)}, def, t0.Add(-day), t0.Add(29 * day)},
		{"UnknownSeverityIsCritical", fleetwatch.SLAInput{PublishedAt: at(0), DetectedAt: t0}, def, t0, t0.Add(3 * day)},
		{"NotCritical", fleetwatch.SLAInput{Severity: fleetwatch.SeverityNotCritical, PublishedAt: at(0), DetectedAt: t0}, def, t0, t0.Add(90 * day)},
		{"ModeratelyCritical", fleetwatch.SLAInput{Severity: fleetwatch.SeverityModeratelyCritical, PublishedAt: at(0), DetectedAt: t0}, def, t0, t0.Add(7 * day)},
		{"PausedMovesDue", fleetwatch.SLAInput{Severity: fleetwatch.SeverityCritical, PublishedAt: at(0), DetectedAt: t0, Paused: 2 * day}, def, t0, t0.Add(5 * day)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fleetwatch.ComputeSLAClock(tc.in, tc.policy)
			if !got.StartedAt.Equal(tc.wantStart) || !got.DueAt.Equal(tc.wantDue) {
				t.Errorf("got start %s due %s, want %s and %s", got.StartedAt, got.DueAt, tc.wantStart, tc.wantDue)
			}
		})
	}
}

func TestSLAState(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	window := 10 * 24 * time.Hour
	due := t0.Add(window)
	for _, tc := range []struct {
		name string
		now  time.Time
		want string
	}{
		{"Start", t0, fleetwatch.SLAWithin},
		{"Exactly20PercentLeft", due.Add(-2 * 24 * time.Hour), fleetwatch.SLAWithin},
		{"Under20PercentLeft", due.Add(-2*24*time.Hour + time.Second), fleetwatch.SLAAtRisk},
		{"AtDue", due, fleetwatch.SLABreached},
		{"PastDue", due.Add(time.Hour), fleetwatch.SLABreached},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fleetwatch.SLAState(due, window, tc.now); got != tc.want {
				t.Errorf("SLAState at %s = %s, want %s", tc.now, got, tc.want)
			}
		})
	}
	if got := fleetwatch.SLAOutcome(due, due); got != fleetwatch.SLAWithin {
		t.Errorf("resolved at due: %s, want within", got)
	}
	if got := fleetwatch.SLAOutcome(due, due.Add(time.Second)); got != fleetwatch.SLABreached {
		t.Errorf("resolved after due: %s, want breached", got)
	}
}

func TestCompareEventIDs(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1-0", "1-0", 0},
		{"1-1", "1-0", 1},
		{"2-0", "1-9", 1},
		{"9-0", "10-0", -1},
		{"5", "5-0", 0},
		{"junk", "1-0", -1},
		{"1-0", "junk", 1},
	} {
		if got := fleetwatch.CompareEventIDs(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareEventIDs(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func FuzzParseEventID(f *testing.F) {
	for _, s := range []string{"1-0", "", "-", "1712345678901-12", "x-1", "18446744073709551616-0"} {
		f.Add(s, "1712345678901-3")
	}
	f.Fuzz(func(t *testing.T, s, o string) {
		ms, seq, ok := fleetwatch.ParseEventID(s)
		if ok && fleetwatch.CompareEventIDs(s, s) != 0 {
			t.Errorf("%q (%d-%d) does not equal itself", s, ms, seq)
		}
		// Last-Event-ID comes from the client: comparing it with any id
		// is antisymmetric, and follows the parsed numbers.
		ab, ba := fleetwatch.CompareEventIDs(s, o), fleetwatch.CompareEventIDs(o, s)
		if ab != -ba {
			t.Errorf("CompareEventIDs(%q, %q) = %d, reversed %d", s, o, ab, ba)
		}
		oms, oseq, ook := fleetwatch.ParseEventID(o)
		if ok && ook {
			want := cmp.Or(cmp.Compare(ms, oms), cmp.Compare(seq, oseq))
			if ab != want {
				t.Errorf("CompareEventIDs(%q, %q) = %d, want %d", s, o, ab, want)
			}
		}
	})
}
