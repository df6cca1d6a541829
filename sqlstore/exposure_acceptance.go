package sqlstore

import (
	"context"
	"fmt"
	"time"
)

// acceptanceInForce is the condition on an exposure e that a risk
// acceptance holds at at (or, with held false, that none does).
func acceptanceInForce(c *conds, held bool, at time.Time) string {
	cond := `EXISTS (SELECT 1 FROM exposure_acceptances a WHERE a.exposure_id = e.id
		AND a.revoked_at IS NULL AND a.expires_at > ` + c.arg(dbTime(at)) + `)`
	if !held {
		return "NOT " + cond
	}
	return cond
}

// FindAcceptedUntil returns, for those of the exposures under a risk
// acceptance in force at at, when the acceptance ends.
func (s *Store) FindAcceptedUntil(ctx context.Context, exposureIDs []int64, at time.Time) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	for chunk := range chunks(exposureIDs, s.d.inBatch()) {
		var c conds
		rows, err := s.rdb.QueryContext(ctx, `SELECT exposure_id, expires_at FROM exposure_acceptances
			WHERE `+c.in(s.d, "exposure_id", chunk)+` AND revoked_at IS NULL AND expires_at > `+c.arg(dbTime(at)), c.args...)
		if err != nil {
			return nil, fmt.Errorf("find acceptances in force: %w", err)
		}
		for rows.Next() {
			var (
				id      int64
				expires time.Time
			)
			if err := rows.Scan(&id, &expires); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan acceptance: %w", err)
			}
			if expires.After(out[id]) {
				out[id] = expires.UTC()
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find acceptances in force: %w", err)
		}
	}
	return out, nil
}
