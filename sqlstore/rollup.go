package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/fleetwatch/fleetwatch"
)

// DailyOutdated returns the rollups of [from, to] of one organization (or
// of all when orgID is 0), ordered by day.
func (s *Store) DailyOutdated(ctx context.Context, orgID int64, from, to string) ([]fleetwatch.DailyOutdated, error) {
	var out []fleetwatch.DailyOutdated
	err := s.EachDailyOutdated(ctx, orgID, from, to, func(r *fleetwatch.DailyOutdated) error {
		c := *r
		c.LagHistogram = slices.Clone(r.LagHistogram)
		out = append(out, c)
		return nil
	})
	return out, err
}

// EachDailyOutdated calls fn with each rollup DailyOutdated returns, in
// order, reusing the row and its histogram: a year of ten organizations is
// 3,650 histograms of 731 buckets, merged as they come instead of held.
func (s *Store) EachDailyOutdated(ctx context.Context, orgID int64, from, to string, fn func(*fleetwatch.DailyOutdated) error) error {
	c := &conds{}
	c.add("r.day >= " + c.arg(from) + " AND r.day <= " + c.arg(to) + " AND NOT o.is_deleted")
	if orgID != 0 {
		c.add("r.organization_id = " + c.arg(orgID))
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT r.organization_id, r.day, r.outdated, r.lag_histogram, r.computed_at
		FROM report_daily r JOIN organizations o ON o.id = r.organization_id `+c.sql()+` ORDER BY r.day, r.organization_id`, c.args...)
	if err != nil {
		return fmt.Errorf("list daily rollups: %w", err)
	}
	defer rows.Close()
	var r fleetwatch.DailyOutdated
	var hist sql.RawBytes
	for rows.Next() {
		if err = rows.Scan(&r.OrganizationID, &r.Day, &r.Outdated, &hist, &r.ComputedAt); err != nil {
			return fmt.Errorf("scan daily rollup: %w", err)
		}
		if r.LagHistogram, err = parseHistogram(r.LagHistogram[:0], hist); err != nil {
			return fmt.Errorf("decode lag histogram: %w", err)
		}
		r.ComputedAt = r.ComputedAt.UTC()
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list daily rollups: %w", err)
	}
	return nil
}

// DailyOutdatedStamps returns the rollups of DailyOutdated without their
// histograms (LagHistogram nil).
func (s *Store) DailyOutdatedStamps(ctx context.Context, orgID int64, from, to string) ([]fleetwatch.DailyOutdated, error) {
	c := &conds{}
	c.add("r.day >= " + c.arg(from) + " AND r.day <= " + c.arg(to) + " AND NOT o.is_deleted")
	if orgID != 0 {
		c.add("r.organization_id = " + c.arg(orgID))
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT r.organization_id, r.day, r.outdated, r.computed_at
		FROM report_daily r JOIN organizations o ON o.id = r.organization_id `+c.sql()+` ORDER BY r.day, r.organization_id`, c.args...)
	if err != nil {
		return nil, fmt.Errorf("list daily rollup stamps: %w", err)
	}
	defer rows.Close()
	var out []fleetwatch.DailyOutdated
	for rows.Next() {
		var r fleetwatch.DailyOutdated
		if err := rows.Scan(&r.OrganizationID, &r.Day, &r.Outdated, &r.ComputedAt); err != nil {
			return nil, fmt.Errorf("scan daily rollup stamp: %w", err)
		}
		r.ComputedAt = r.ComputedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// SaveDailyOutdated inserts or replaces rollups, in one transaction.
func (s *Store) SaveDailyOutdated(ctx context.Context, rows []fleetwatch.DailyOutdated) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			hist, err := json.Marshal(r.LagHistogram)
			if err != nil {
				return fmt.Errorf("encode lag histogram: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO report_daily (organization_id, day, outdated, lag_histogram, computed_at)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (organization_id, day) DO UPDATE
				SET outdated = excluded.outdated, lag_histogram = excluded.lag_histogram, computed_at = excluded.computed_at`,
				r.OrganizationID, r.Day, r.Outdated, string(hist), dbTime(r.ComputedAt)); err != nil {
				return fmt.Errorf("save daily rollup: %w", err)
			}
		}
		return nil
	})
}

// RollupOrganizations returns the organizations that exist and have
// inventory history, the ones the daily rollups are kept for.
func (s *Store) RollupOrganizations(ctx context.Context) ([]int64, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT o.id FROM organizations o WHERE NOT o.is_deleted AND EXISTS
		(SELECT 1 FROM sites s JOIN site_module_changes h ON h.site_id = s.id WHERE s.organization_id = o.id)
		ORDER BY o.id`)
	if err != nil {
		return nil, fmt.Errorf("list rollup organizations: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan rollup organization: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// parseHistogram reads a JSON array of non-negative integers into out. A year of
// rollups of ten organizations is 3,650 histograms of 731 buckets: the
// generic JSON decoder took most of a trend's time, this takes a few ms.
func parseHistogram(out []int, s []byte) ([]int, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("not an array: %.20q", s)
	}
	body := s[1 : len(s)-1]
	if len(bytes.TrimSpace(body)) == 0 {
		return out[:0], nil
	}
	n, digits := 0, 0
	for i := 0; i <= len(body); i++ {
		if i == len(body) || body[i] == ',' {
			if digits == 0 {
				return nil, fmt.Errorf("empty element in %.20q", s)
			}
			out = append(out, n)
			n, digits = 0, 0
			continue
		}
		switch c := body[i]; {
		case c >= '0' && c <= '9':
			if digits > 18 {
				return nil, fmt.Errorf("number too large in %.20q", s)
			}
			n, digits = n*10+int(c-'0'), digits+1
		case c == ' ' || c == '\n' || c == '\t' || c == '\r':
		default:
			return nil, fmt.Errorf("unexpected %q in %.20q", c, s)
		}
	}
	return out, nil
}
