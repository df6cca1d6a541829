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

// refreshSiteCounters recounts the outstanding updates of the sites.
func refreshSiteCounters(ctx context.Context, tx *sql.Tx, d *dialect, siteIDs []int64) error {
	for chunk := range chunks(siteIDs, d.inBatch()) {
		var c conds
		if _, err := tx.ExecContext(ctx, refreshCounters+` WHERE id IN (`+c.list(chunk)+`)`, c.args...); err != nil {
			return fmt.Errorf("refresh site counters: %w", err)
		}
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
