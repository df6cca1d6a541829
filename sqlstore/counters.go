package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
)

// Each site keeps the counts of its outstanding updates, so that the fleet
// summary adds up 10,000 site rows instead of scanning millions of
// site_modules rows. Every transaction that changes a site's site_modules
// refreshes them before it commits, and with them bumps the site's
// modules_generation, which keys the cached pages of its module list
// (FindSiteModulesStamp): a page is never served after such a commit.

const refreshCounters = `UPDATE sites SET
	modules_generation = modules_generation + 1,
	updates_available = (SELECT count(*) FROM site_modules sm WHERE sm.site_id = sites.id AND sm.update_available AND NOT sm.security_update),
	security_updates = (SELECT count(*) FROM site_modules sm WHERE sm.site_id = sites.id AND sm.security_update)`

// refreshSiteCounters recounts the outstanding updates of the sites, and
// counts the rows it changes in counted when the counter triggers are
// paused (nil: they count them). The sites must be locked (SaveAnalyses
// locks them first; SQLite has one writer), so that the counts read before
// the UPDATE are those it replaces.
func refreshSiteCounters(ctx context.Context, tx *sql.Tx, d *dialect, siteIDs []int64, counted *counterDeltas) error {
	for chunk := range chunks(siteIDs, d.inBatch()) {
		var c conds
		in := c.list(chunk)
		if counted == nil {
			if _, err := tx.ExecContext(ctx, refreshCounters+` WHERE id IN (`+in+`)`, c.args...); err != nil {
				return fmt.Errorf("refresh site counters: %w", err)
			}
			continue
		}
		const counts = `organization_id, is_deleted, updates_available, security_updates`
		if err := countSites(ctx, tx, `SELECT `+counts+` FROM sites WHERE id IN (`+in+`)`, c.args, counted, -1); err != nil {
			return err
		}
		if err := countSites(ctx, tx, refreshCounters+` WHERE id IN (`+in+`) RETURNING `+counts, c.args, counted, 1); err != nil {
			return err
		}
	}
	return nil
}

// countSites counts the sites the query returns (organization_id,
// is_deleted, updates_available, security_updates) with sign.
func countSites(ctx context.Context, tx *sql.Tx, query string, args []any, counted *counterDeltas, sign int64) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("refresh site counters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var org, updates, security int64
		var deleted bool
		if err := rows.Scan(&org, &deleted, &updates, &security); err != nil {
			return fmt.Errorf("refresh site counters: %w", err)
		}
		counted.site(org, deleted, updates, security, sign)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("refresh site counters: %w", err)
	}
	return nil
}

// RefreshAllSiteCounters recounts every site's outstanding updates, for
// data written around the store (generated benchmark fleets).
func (s *Store) RefreshAllSiteCounters(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, refreshCounters); err != nil {
		return fmt.Errorf("refresh site counters: %w", err)
	}
	return nil
}
