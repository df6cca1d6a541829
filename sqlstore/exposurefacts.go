package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// exposureFacts returns what an install's analysis now says of its
// exposure, with the SLA policy of its organization (nil: not analysed
// now, leave its open exposure as it is).
type exposureFacts func(*fleetwatch.Install) (*fleetwatch.Exposure, *fleetwatch.SLAPolicy)

// openFacts is an open exposure as updateOpenExposures compares it.
type openFacts struct {
	id, org                   int64
	facts                     string
	severity                  string
	detected, due             time.Time
	firstSeen                 *time.Time
	siteID, moduleID, version int64
}

// exposureUpdate is the new state of one open exposure.
type exposureUpdate struct {
	id                  int64
	severity            string
	known               bool
	fixedBy, advisories string
	published           *time.Time
	start, due          time.Time
	renotify            bool
}

// updateOpenExposures brings the open exposures of the rows of sc that
// still need one up to what facts says of them
// now: an advisory that arrived after the exposure opened gives it its
// severity and id, a feed change its fixing releases or publication. Its
// SLA clock is computed again under the policy facts gives, from its own
// detection, keeping what its acceptances moved it by, and a breach
// already announced may be announced again when the new due date is after
// at. Exposures whose facts are unchanged are not written. The exposures
// are locked as they are read (PostgreSQL), so that an acceptance does not
// move a due date between the read and the write: sc must name only sites
// the caller has locked, so that no other writer's exposures are held. It
// returns how many it updated, and counts them in counted.
func updateOpenExposures(ctx context.Context, tx *sql.Tx, d *dialect, sc rowScope, at time.Time, facts exposureFacts, counted *counts) (int, error) {
	open, err := readOpenFacts(ctx, tx, d, sc, lockOf(d, "e"))
	if err != nil {
		return 0, err
	}
	// The exposures whose facts changed, and what they say now.
	type change struct {
		o      openFacts
		e      *fleetwatch.Exposure
		policy *fleetwatch.SLAPolicy
	}
	var changes []change
	for _, o := range open {
		e, policy := facts(&fleetwatch.Install{SiteID: o.siteID, ModuleID: o.moduleID, VersionID: o.version})
		if e != nil && policy != nil && e.Facts() != o.facts {
			changes = append(changes, change{o, e, policy})
		}
	}
	ids := make([]int64, len(changes))
	for i, c := range changes {
		ids[i] = c.o.id
	}
	shifts, err := acceptedShifts(ctx, tx, d, ids)
	if err != nil {
		return 0, err
	}
	updates := make([]exposureUpdate, 0, len(changes))
	for _, c := range changes {
		o, e := c.o, c.e
		var published *time.Time
		if e.PublishedAt != nil {
			p := dbTime(*e.PublishedAt)
			published = &p
		}
		in := fleetwatch.SLAInput{Severity: fleetwatch.SLASeverity(e.Severity, e.SeverityKnown), PublishedAt: published,
			DetectedAt: o.detected, SiteFirstSeenAt: o.firstSeen, Paused: shifts[o.id]}
		clock := fleetwatch.ComputeSLAClock(in, *c.policy)
		u := exposureUpdate{id: o.id, severity: e.Severity, known: e.SeverityKnown, fixedBy: jsonList(e.FixedBy),
			advisories: jsonList(e.Advisories), published: published, start: dbTime(clock.StartedAt), due: dbTime(clock.DueAt)}
		u.renotify = u.due.After(at)
		updates = append(updates, u)
		counted.exposure(o.org, o.severity, fleetwatch.ExposureSpan{DetectedAt: o.detected, DueAt: o.due}, -1)
		counted.exposure(o.org, u.severity, fleetwatch.ExposureSpan{DetectedAt: o.detected, DueAt: u.due}, 1)
	}

	return len(updates), writeExposureUpdates(ctx, tx, d, at, updates)
}

// exposureUpdateSet is the assignment of writeExposureUpdates, from the
// rows v.
const exposureUpdateSet = `severity = v.severity, severity_known = v.severity_known, fixed_by = v.fixed_by,
	advisories = v.advisories, published_at = v.published_at, clock_started_at = v.clock_started_at, due_at = v.due_at,
	breach_notified_at = CASE WHEN v.renotify THEN NULL ELSE exposures.breach_notified_at END`

// writeExposureUpdates writes the updates of open exposures, stamped at:
// on PostgreSQL by one statement over typed arrays, on SQLite by one
// statement prepared once and run per row (modernc parses each statement
// text anew, and binds the parameters of long VALUES lists slowly). Each
// must update its row: the sites are locked and the rows were read in
// this transaction, so a row not updated would leave the counters
// counting it wrongly.
func writeExposureUpdates(ctx context.Context, tx *sql.Tx, d *dialect, at time.Time, updates []exposureUpdate) error {
	check := func(res sql.Result, want int) error {
		if got, err := res.RowsAffected(); err != nil || got != int64(want) {
			return fmt.Errorf("update open exposures: %d of %d updated (%v)", got, want, err)
		}
		return nil
	}
	if len(updates) == 0 {
		return nil
	}
	if d == postgres {
		n := len(updates)
		ids, severity, known, fixedBy, advisories := make([]int64, n), make([]string, n), make([]bool, n), make([]string, n), make([]string, n)
		published, start, due, renotify := make([]*time.Time, n), make([]time.Time, n), make([]time.Time, n), make([]bool, n)
		for i, u := range updates {
			ids[i], severity[i], known[i], fixedBy[i], advisories[i] = u.id, u.severity, u.known, u.fixedBy, u.advisories
			published[i], start[i], due[i], renotify[i] = u.published, u.start, u.due, u.renotify
		}
		res, err := tx.ExecContext(ctx, `UPDATE exposures SET `+exposureUpdateSet+`, updated_at = $10
			FROM (SELECT id, severity, severity_known, fixed_by::jsonb AS fixed_by, advisories::jsonb AS advisories,
					published_at, clock_started_at, due_at, renotify
				FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::text[], $6::timestamptz[],
					$7::timestamptz[], $8::timestamptz[], $9::boolean[])
					AS u (id, severity, severity_known, fixed_by, advisories, published_at, clock_started_at, due_at, renotify)) v
			WHERE exposures.id = v.id AND exposures.resolved_at IS NULL`,
			ids, severity, known, fixedBy, advisories, published, start, due, renotify, at)
		if err != nil {
			return fmt.Errorf("update open exposures: %w", err)
		}
		return check(res, n)
	}
	stmt, err := tx.PrepareContext(ctx, `UPDATE exposures SET `+exposureUpdateSet+`, updated_at = $10
		FROM (SELECT $1 AS id, $2 AS severity, $3 AS severity_known, $4 AS fixed_by, $5 AS advisories, $6 AS published_at,
			$7 AS clock_started_at, $8 AS due_at, $9 AS renotify) v
		WHERE exposures.id = v.id AND exposures.resolved_at IS NULL`)
	if err != nil {
		return fmt.Errorf("update open exposures: %w", err)
	}
	defer stmt.Close()
	for _, u := range updates {
		res, err := stmt.ExecContext(ctx, u.id, u.severity, u.known, u.fixedBy, u.advisories, dbTimePtr(u.published), u.start, u.due, u.renotify, at)
		if err != nil {
			return fmt.Errorf("update open exposures: %w", err)
		}
		if err := check(res, 1); err != nil {
			return err
		}
	}
	return nil
}

// lockOf locks the rows of the table alias a SELECT reads until the
// transaction ends, as an UPDATE that changes no key would (PostgreSQL;
// SQLite's one writer makes that implicit): a foreign key's check on them
// is not held up.
func lockOf(d *dialect, alias string) string {
	if d.forUpdate == "" {
		return ""
	}
	return " FOR NO KEY UPDATE OF " + alias
}

// FindOpenExposureFacts returns the Facts of the open exposures of the
// project on the sites, by site.
func (s *Store) FindOpenExposureFacts(ctx context.Context, moduleID int64, siteIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	read := storedFacts{}
	for chunk := range chunks(siteIDs, s.d.inBatch()) {
		c := conds{args: []any{moduleID}}
		rows, err := s.rdb.QueryContext(ctx, `SELECT site_id, severity, severity_known, fixed_by, advisories, published_at
			FROM exposures WHERE resolved_at IS NULL AND module_id = $1 AND `+c.in(s.d, "site_id", chunk), c.args...)
		if err != nil {
			return nil, fmt.Errorf("find open exposures: %w", err)
		}
		for rows.Next() {
			var (
				site int64
				f    factsText
			)
			if err := rows.Scan(&site, &f.severity, &f.known, &f.fixedBy, &f.advisories, &f.published); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan open exposure: %w", err)
			}
			if out[site], err = read.of(f); err != nil {
				rows.Close()
				return nil, err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find open exposures: %w", err)
		}
	}
	return out, nil
}

// readOpenFacts reads the open exposures of the rows of sc, in id order,
// with lock.
func readOpenFacts(ctx context.Context, tx *sql.Tx, d *dialect, sc rowScope, lock string) ([]openFacts, error) {
	var c conds
	cond := sc.where(&c, d, "sm")
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.organization_id, e.severity, e.severity_known, e.fixed_by, e.advisories,
		e.published_at, e.detected_at, e.due_at, s.first_seen_at, sm.site_id, sm.module_id, COALESCE(sm.current_version_id, 0)
		FROM site_modules sm JOIN sites s ON s.id = sm.site_id
		JOIN exposures e ON e.site_id = sm.site_id AND e.module_id = sm.module_id AND e.resolved_at IS NULL
		WHERE `+cond+` AND sm.security_update ORDER BY e.id`+lock, c.args...)
	if err != nil {
		return nil, fmt.Errorf("find open exposures: %w", err)
	}
	defer rows.Close()
	var open []openFacts
	read := storedFacts{}
	for rows.Next() {
		var (
			o         openFacts
			f         factsText
			firstSeen sql.NullTime
		)
		if err := rows.Scan(&o.id, &o.org, &f.severity, &f.known, &f.fixedBy, &f.advisories, &f.published, &o.detected, &o.due, &firstSeen,
			&o.siteID, &o.moduleID, &o.version); err != nil {
			return nil, fmt.Errorf("scan open exposure: %w", err)
		}
		var err error
		if o.facts, err = read.of(f); err != nil {
			return nil, err
		}
		o.severity = f.severity
		o.firstSeen = timePtr(firstSeen)
		open = append(open, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find open exposures: %w", err)
	}
	return open, nil
}

// factsText is an open exposure's facts as its columns hold them.
type factsText struct {
	severity            string
	known               bool
	fixedBy, advisories string
	published           sql.NullTime
}

// storedFacts are the fleetwatch.ExposureFacts of the exposures one read
// met, each decoded once: the exposures of one advisory share theirs.
type storedFacts map[factsText]string

// of returns the ExposureFacts of f.
func (m storedFacts) of(f factsText) (string, error) {
	if s, ok := m[f]; ok {
		return s, nil
	}
	var fixedBy, advisories []string
	if err := errors.Join(json.Unmarshal([]byte(f.fixedBy), &fixedBy), json.Unmarshal([]byte(f.advisories), &advisories)); err != nil {
		return "", fmt.Errorf("open exposure lists: %w", err)
	}
	s := fleetwatch.ExposureFacts(f.severity, f.known, fixedBy, advisories, timePtr(f.published))
	m[f] = s
	return s, nil
}
