package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// DailyOutdated returns the rollups of [from, to] of one organization (or
// of all when orgID is 0), ordered by day.
func (s *Store) DailyOutdated(ctx context.Context, orgID int64, from, to string) ([]fleetwatch.DailyOutdated, error) {
	c := &conds{}
	c.add("r.day >= " + c.arg(from) + " AND r.day <= " + c.arg(to) + " AND NOT o.is_deleted")
	if orgID != 0 {
		c.add("r.organization_id = " + c.arg(orgID))
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT r.organization_id, r.day, r.outdated, r.lag_histogram, r.computed_at
		FROM report_daily r JOIN organizations o ON o.id = r.organization_id `+c.sql()+` ORDER BY r.day, r.organization_id`, c.args...)
	if err != nil {
		return nil, fmt.Errorf("list daily rollups: %w", err)
	}
	defer rows.Close()
	var out []fleetwatch.DailyOutdated
	for rows.Next() {
		var r fleetwatch.DailyOutdated
		var hist string
		if err := rows.Scan(&r.OrganizationID, &r.Day, &r.Outdated, &hist, &r.ComputedAt); err != nil {
			return nil, fmt.Errorf("scan daily rollup: %w", err)
		}
		if err := json.Unmarshal([]byte(hist), &r.LagHistogram); err != nil {
			return nil, fmt.Errorf("decode lag histogram: %w", err)
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

// RollupOrganizations returns every organization that exists with the
// start of its earliest history interval.
func (s *Store) RollupOrganizations(ctx context.Context) (map[int64]time.Time, error) {
	// ORDER BY … LIMIT 1 rather than min(): SQLite returns an aggregate of
	// a DATETIME column as text, which does not scan into a time.
	rows, err := s.rdb.QueryContext(ctx, `SELECT o.id, (SELECT h.valid_from FROM site_module_history h JOIN sites s ON s.id = h.site_id
			WHERE s.organization_id = o.id ORDER BY h.valid_from LIMIT 1)
		FROM organizations o WHERE NOT o.is_deleted`)
	if err != nil {
		return nil, fmt.Errorf("list rollup organizations: %w", err)
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var first any
		if err := rows.Scan(&id, &first); err != nil {
			return nil, fmt.Errorf("scan rollup organization: %w", err)
		}
		t, err := anyTime(first)
		if err != nil {
			return nil, fmt.Errorf("scan rollup organization: %w", err)
		}
		out[id] = time.Time{} // no history yet
		if t != nil {
			out[id] = *t
		}
	}
	return out, rows.Err()
}
