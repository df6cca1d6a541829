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

// exposureSortColumns maps fleetwatch.ExposureSortFields to columns.
var exposureSortColumns = map[string]string{
	"detected_at":  "e.detected_at",
	"due_at":       "e.due_at",
	"published_at": "e.published_at",
	"resolved_at":  "e.resolved_at",
	"project":      "m.module_name",
	// Most severe first when ascending.
	"severity": `CASE e.severity WHEN 'highly_critical' THEN 1 WHEN 'critical' THEN 2
		WHEN 'moderately_critical' THEN 3 WHEN 'less_critical' THEN 4 ELSE 5 END`,
}

const exposureColumns = `e.id, e.uuid, e.site_id, s.uuid, s.name, e.module_id, e.organization_id, o.uuid,
	m.module_name, e.installed_version, e.fixed_by, e.advisories, e.severity, e.severity_known,
	e.published_at, e.detected_at, e.clock_started_at, e.due_at, e.resolved_at, e.resolved_version, e.sla_outcome`

const exposureFrom = `FROM exposures e
	JOIN sites s ON s.id = e.site_id
	JOIN organizations o ON o.id = e.organization_id
	JOIN modules m ON m.id = e.module_id`

// exposureVisible hides the exposures of deleted sites and organizations.
const exposureVisible = `NOT s.is_deleted AND NOT o.is_deleted`

func scanExposure(sc interface{ Scan(...any) error }) (*fleetwatch.Exposure, error) {
	var (
		e                   fleetwatch.Exposure
		fixed, advs         string
		published, resolved sql.NullTime
		outcome             sql.NullString
	)
	if err := sc.Scan(&e.ID, &e.UUID, &e.SiteID, &e.SiteUUID, &e.SiteName, &e.ModuleID, &e.OrganizationID, &e.OrganizationUUID,
		&e.Project, &e.InstalledVersion, &fixed, &advs, &e.Severity, &e.SeverityKnown,
		&published, &e.DetectedAt, &e.ClockStartedAt, &e.DueAt, &resolved, &e.ResolvedVersion, &outcome); err != nil {
		return nil, err
	}
	if err := errors.Join(json.Unmarshal([]byte(fixed), &e.FixedBy), json.Unmarshal([]byte(advs), &e.Advisories)); err != nil {
		return nil, fmt.Errorf("exposure lists: %w", err)
	}
	e.PublishedAt, e.ResolvedAt, e.SLAOutcome = timePtr(published), timePtr(resolved), stringPtr(outcome)
	e.DetectedAt, e.ClockStartedAt, e.DueAt = e.DetectedAt.UTC(), e.ClockStartedAt.UTC(), e.DueAt.UTC()
	e.State = fleetwatch.ExposureOpen
	if e.ResolvedAt != nil {
		e.State = fleetwatch.ExposureResolved
	}
	return &e, nil
}

// FindExposureByUUID returns the exposure, ENOTFOUND for an unknown one or
// one of a deleted site.
func (s *Store) FindExposureByUUID(ctx context.Context, uuid string) (*fleetwatch.Exposure, error) {
	e, err := scanExposure(s.rdb.QueryRowContext(ctx, `SELECT `+exposureColumns+` `+exposureFrom+`
		WHERE e.uuid = $1 AND `+exposureVisible, uuid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Exposure not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find exposure: %w", err)
	}
	return e, nil
}

// FindExposures returns a page of the exposures that match f, and how many
// match in all. Q searches the project and the site name.
func (s *Store) FindExposures(ctx context.Context, f fleetwatch.ExposureFilter) ([]*fleetwatch.Exposure, int, error) {
	var c conds
	c.add(exposureVisible)
	if f.OrganizationID != 0 {
		c.add("e.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.SiteID != 0 {
		c.add("e.site_id = " + c.arg(f.SiteID))
	}
	if f.Project != "" {
		c.add("m.module_name = " + c.arg(f.Project))
	}
	if f.Severity != "" {
		c.add("e.severity = " + c.arg(f.Severity))
	}
	switch f.State {
	case fleetwatch.ExposureOpen:
		c.add("e.resolved_at IS NULL")
	case fleetwatch.ExposureResolved:
		c.add("e.resolved_at IS NOT NULL")
	}
	if f.OverdueAt != nil {
		p := c.arg(dbTime(*f.OverdueAt))
		c.add("((e.resolved_at IS NULL AND e.due_at < " + p + ") OR e.resolved_at > e.due_at)")
	}
	if f.NotOverdueAt != nil {
		p := c.arg(dbTime(*f.NotOverdueAt))
		c.add("((e.resolved_at IS NULL AND e.due_at >= " + p + ") OR e.resolved_at <= e.due_at)")
	}
	if f.Accepted != nil {
		c.add(acceptanceInForce(&c, *f.Accepted, f.AcceptedAt))
	}
	c.search(s.d, f.Q, "m.module_name", "s.name")
	order, err := orderBy(f.Sort, exposureSortColumns, []fleetwatch.SortField{{Field: "due_at"}}, "e.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find exposures: %w", err)
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+exposureFrom+` `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count exposures: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+exposureColumns+` `+exposureFrom+` `+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find exposures: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.Exposure{}
	for rows.Next() {
		e, err := scanExposure(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("scan exposure: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find exposures: %w", err)
	}
	return out, total, nil
}

// UpdateOpenExposureClocks recomputes the clock and due date of every open
// exposure of the organization, in one transaction, from clock, keeping
// what acceptances moved them by (the rows locked meanwhile); resolved
// exposures keep theirs and their frozen outcome. An exposure whose breach
// was announced and whose new due date is after at may be announced again.
func (s *Store) UpdateOpenExposureClocks(ctx context.Context, organizationID int64, at time.Time, clock func(fleetwatch.SLAInput) fleetwatch.SLAClock) (int, error) {
	changed := 0
	err := s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		// The organization's sites first, in id order, as the ingest and
		// feed changes lock them before their exposures: no deadlock.
		if s.d.lockSite != "" {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM sites WHERE organization_id = $1 ORDER BY id`+s.d.lockSite, organizationID); err != nil {
				return fmt.Errorf("lock sites: %w", err)
			}
		}
		opens, err := readOpenClocks(ctx, tx, s.d, organizationID)
		if err != nil {
			return err
		}
		at := dbTime(at)
		for _, o := range opens {
			c := clock(o.in)
			start, due := dbTime(c.StartedAt), dbTime(c.DueAt)
			if start.Equal(o.start) && due.Equal(o.x.span.DueAt) {
				continue
			}
			// Whether the breach may be announced again is decided here:
			// the same parameter in SET and a comparison gets two types on
			// PostgreSQL.
			if _, err := tx.ExecContext(ctx, `UPDATE exposures SET clock_started_at = $1, due_at = $2, updated_at = $3,
				breach_notified_at = CASE WHEN $4 THEN NULL ELSE breach_notified_at END
				WHERE id = $5`, start, due, at, due.After(at), o.id); err != nil {
				return fmt.Errorf("update exposure clock: %w", err)
			}
			moved := o.x
			moved.span.DueAt = due
			counted.add(o.x, -1)
			counted.add(moved, 1)
			changed++
		}
		return nil
	})
	return changed, err
}

// openClock is an open exposure as UpdateOpenExposureClocks reads it.
type openClock struct {
	id    int64
	x     countedExposure
	in    fleetwatch.SLAInput // with what its acceptances moved it by
	start time.Time
}

// readOpenClocks reads and locks the open exposures of the organization.
func readOpenClocks(ctx context.Context, tx *sql.Tx, d *dialect, organizationID int64) ([]openClock, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+exposureCountColumns+`, e.id, e.severity_known, e.published_at, e.clock_started_at, s.first_seen_at
		FROM exposures e JOIN sites s ON s.id = e.site_id
		WHERE e.organization_id = $1 AND e.resolved_at IS NULL ORDER BY e.id`+lockOf(d, "e"), organizationID)
	if err != nil {
		return nil, fmt.Errorf("find open exposures: %w", err)
	}
	defer rows.Close()
	var opens []openClock
	var ids []int64
	for rows.Next() {
		var (
			o                    openClock
			known                bool
			published, firstSeen sql.NullTime
		)
		if o.x, err = scanCountedExposure(rows, &o.id, &known, &published, &o.start, &firstSeen); err != nil {
			return nil, fmt.Errorf("scan open exposure: %w", err)
		}
		o.in = fleetwatch.SLAInput{Severity: fleetwatch.SLASeverity(o.x.severity, known), PublishedAt: timePtr(published),
			DetectedAt: o.x.span.DetectedAt, SiteFirstSeenAt: timePtr(firstSeen)}
		opens, ids = append(opens, o), append(ids, o.id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find open exposures: %w", err)
	}
	rows.Close()
	shifts, err := acceptedShifts(ctx, tx, d, ids)
	if err != nil {
		return nil, err
	}
	for i := range opens {
		opens[i].in.Paused = shifts[opens[i].id]
	}
	return opens, nil
}

// ClaimSLABreaches marks up to limit open exposures past their due date
// (before at) whose breach was not announced yet as announced, and returns
// them. The marking is one statement, so that each breach is claimed once
// across replicas.
func (s *Store) ClaimSLABreaches(ctx context.Context, at time.Time, limit int) ([]*fleetwatch.Exposure, error) {
	var out []*fleetwatch.Exposure
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		at := dbTime(at)
		rows, err := tx.QueryContext(ctx, `UPDATE exposures SET breach_notified_at = $1
			WHERE id IN (SELECT id FROM exposures WHERE resolved_at IS NULL AND breach_notified_at IS NULL
				AND due_at < $1 ORDER BY due_at, id LIMIT $2`+s.d.skipLocked+`)
				AND breach_notified_at IS NULL
			RETURNING id`, at, limit)
		if err != nil {
			return fmt.Errorf("claim sla breaches: %w", err)
		}
		ids, err := scanIDs(rows)
		if err != nil {
			return fmt.Errorf("claim sla breaches: %w", err)
		}
		out, err = findExposuresByID(ctx, tx, s.d, ids)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
