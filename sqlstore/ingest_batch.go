package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// cast gives a placeholder a type PostgreSQL cannot infer (in a VALUES
// list); SQLite needs none.
func (d *dialect) cast(ph, typ string) string {
	if d == sqliteDialect {
		return ph
	}
	return "CAST(" + ph + " AS " + typ + ")"
}

// rounds splits a batch into rounds that hold at most one snapshot per
// site: round k holds the k-th snapshot of each site, in the batch's order
// (sites in id order), so that each round is applied with one statement per
// kind of write and a site's snapshots still apply in order.
func rounds(logs []*fleetwatch.AuditLog) [][]int {
	var out [][]int
	seen := map[int64]int{}
	for i, l := range logs {
		k := seen[l.SiteID]
		seen[l.SiteID] = k + 1
		if k == len(out) {
			out = append(out, nil)
		}
		out[k] = append(out[k], i)
	}
	return out
}

// InventoryStates returns the current inventory of the sites among ids, by
// site id: its hash and when it was collected. A worker reads them before
// it decodes pushes, to find the pushes that repeat their site's inventory;
// applyRound checks again under the sites' locks.
func (s *Store) InventoryStates(ctx context.Context, ids []int64) (map[int64]fleetwatch.InventoryState, error) {
	out := make(map[int64]fleetwatch.InventoryState, len(ids))
	for part := range chunks(ids, s.d.inBatch()) {
		var c conds
		rows, err := s.db.QueryContext(ctx, `SELECT id, inventory_hash, inventory_collected_at FROM sites WHERE `+c.in(s.d, "id", part), c.args...)
		if err != nil {
			return nil, fmt.Errorf("read inventory hashes: %w", err)
		}
		for rows.Next() {
			var id int64
			var st fleetwatch.InventoryState
			var at sql.NullTime
			if err := rows.Scan(&id, &st.Hash, &at); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read inventory hashes: %w", err)
			}
			if at.Valid {
				t := at.Time.UTC()
				st.CollectedAt = &t
			}
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read inventory hashes: %w", err)
		}
	}
	return out, nil
}

// lockedSite is a site row as applyRound locks and reads it.
type lockedSite struct {
	hash               string
	current, firstSeen sql.NullTime
	orgID              int64
	uuid, name         string
}

// lockSites locks the sites of the snapshots of idx, in id order, and
// reads them.
func lockSites(ctx context.Context, tx *sql.Tx, d *dialect, snaps []*fleetwatch.Snapshot, idx []int) (map[int64]*lockedSite, error) {
	siteIDs := make([]int64, len(idx))
	for j, i := range idx {
		siteIDs[j] = snaps[i].SiteID
	}
	sites := map[int64]*lockedSite{}
	for part := range chunks(siteIDs, d.inBatch()) {
		var c conds
		rows, err := tx.QueryContext(ctx, `SELECT id, inventory_hash, inventory_collected_at, organization_id, uuid, name, first_seen_at
			FROM sites WHERE `+c.in(d, "id", part)+` ORDER BY id`+d.lockSite, c.args...)
		if err != nil {
			return nil, fmt.Errorf("lock sites: %w", err)
		}
		for rows.Next() {
			var id int64
			ls := &lockedSite{}
			if err := rows.Scan(&id, &ls.hash, &ls.current, &ls.orgID, &ls.uuid, &ls.name, &ls.firstSeen); err != nil {
				rows.Close()
				return nil, fmt.Errorf("lock sites: %w", err)
			}
			sites[id] = ls
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("lock sites: %w", err)
		}
	}
	return sites, nil
}

// applyRound applies snapshots of distinct sites (idx into logs and snaps)
// in tx, set-based: one statement locks the sites, one marks the logs
// processed, one notes the unchanged snapshots, and the changed ones share
// one history read, one analysis, and one statement per kind of write
// (applyChanged). Out-of-order snapshots write history only
// (applyOutOfOrder).
func (s *Store) applyRound(ctx context.Context, tx *sql.Tx, counted *counts, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot, idx []int,
	an fleetwatch.Analyzer, cat *catalog, out []*fleetwatch.ApplyResult) error {
	t := s.clock()
	sites, err := lockSites(ctx, tx, s.d, snaps, idx)
	if err != nil {
		return err
	}
	var unchanged, changed, outOfOrder []int
	for _, i := range idx {
		snap := snaps[i]
		ls := sites[snap.SiteID]
		switch {
		case ls == nil:
			return fmt.Errorf("apply %s: lock site %d: %w", logs[i].UUID, snap.SiteID, sql.ErrNoRows)
		case ls.current.Valid && dbTime(snap.CollectedAt).Before(ls.current.Time):
			outOfOrder = append(outOfOrder, i)
		case ls.hash == snap.Hash:
			unchanged = append(unchanged, i)
		default:
			changed = append(changed, i)
		}
	}
	// A snapshot the worker did not decode applies only as unchanged.
	for _, i := range slices.Concat(changed, outOfOrder) {
		if snaps[i].Partial {
			return fmt.Errorf("apply %s: %w", logs[i].UUID, fleetwatch.ErrSnapshotNotDecoded)
		}
	}
	if err := finishClaims(ctx, tx, s.d, logs, snaps, idx, t); err != nil {
		return err
	}
	for _, i := range idx {
		ls := sites[snaps[i].SiteID]
		out[i] = &fleetwatch.ApplyResult{OrganizationID: ls.orgID, SiteUUID: ls.uuid, SiteName: ls.name}
	}
	for _, i := range unchanged {
		out[i].Unchanged = true
	}
	if err := s.updateSites(ctx, tx, logs, snaps, unchanged, false); err != nil {
		return err
	}
	if len(changed) > 0 {
		if err := s.applyChanged(ctx, tx, counted, logs, snaps, changed, sites, an, cat, out, t); err != nil {
			return err
		}
	}
	for _, i := range outOfOrder {
		if err := s.applyOutOfOrder(ctx, tx, logs[i], snaps[i], sites[snaps[i].SiteID], cat, out[i], t); err != nil {
			return err
		}
	}
	return nil
}

// applyOutOfOrder applies a snapshot older than its site's newest: it
// fills history where it belongs, up to the next applied snapshot, and
// never touches current state; the site was seen all the same.
func (s *Store) applyOutOfOrder(ctx context.Context, tx *sql.Tx, l *fleetwatch.AuditLog, snap *fleetwatch.Snapshot, ls *lockedSite,
	cat *catalog, res *fleetwatch.ApplyResult, t time.Time) error {
	res.OutOfOrder = true
	collected := dbTime(snap.CollectedAt)
	moduleIDs, _, err := cat.ids(ctx, tx, s.d, snap.Projects, t)
	if err != nil {
		return err
	}
	next, err := nextSnapshotTime(ctx, tx, snap.SiteID, collected, ls.current.Time)
	if err != nil {
		return err
	}
	plan, err := planHistory(ctx, tx, s.d, snap, moduleIDs, collected, next)
	if err != nil {
		return err
	}
	// An interval resumed after the snapshot may be the open one now.
	opened, err := plan.write(ctx, tx, s.d, nil)
	if err != nil {
		return err
	}
	if err := linkOpen(ctx, tx, s.d, opened); err != nil {
		return err
	}
	seen := dbTime(l.CreatedAt)
	if _, err := tx.ExecContext(ctx, `UPDATE sites SET
		last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < $1 THEN $1 ELSE last_seen_at END,
		first_seen_at = CASE WHEN first_seen_at IS NULL OR first_seen_at > $1 THEN $1 ELSE first_seen_at END
		WHERE id = $2`, seen, snap.SiteID); err != nil {
		return fmt.Errorf("touch site: %w", err)
	}
	return nil
}

// openIntervals reads the open intervals of the sites of the changed
// snapshots of idx. It also returns the snapshots among idx that one of
// their site's open intervals starts after (a feed changed its status
// since they were collected): those end an earlier interval, and are
// planned from the site's history around them.
func openIntervals(ctx context.Context, tx *sql.Tx, d *dialect, snaps []*fleetwatch.Snapshot, idx []int) (map[int64][]historyRow, []int, error) {
	ids := make([]int64, len(idx))
	for j, i := range idx {
		ids[j] = snaps[i].SiteID
	}
	hist := map[int64][]historyRow{}
	for part := range chunks(ids, d.inBatch()) {
		h, err := readOpen(ctx, tx, d, part)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(hist, h)
	}
	var later []int
	for _, i := range idx {
		collected := dbTime(snaps[i].CollectedAt)
		if slices.ContainsFunc(hist[snaps[i].SiteID], func(r historyRow) bool { return r.from.After(collected) }) {
			later = append(later, i)
		}
	}
	return hist, later, nil
}

// finishClaims is finishClaim for the logs of idx, in one statement per
// chunk; any claim lost fails the lot.
func finishClaims(ctx context.Context, tx *sql.Tx, d *dialect, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot, idx []int, t time.Time) error {
	n := d.rowBatch(3)
	for part := range chunks(idx, n) {
		var c conds
		at := c.arg(t)
		rows := make([]string, len(part))
		for j, i := range part {
			rows[j] = "(" + d.cast(c.arg(logs[i].ID), "BIGINT") + ", " + d.cast(c.arg(logs[i].Attempts), "INTEGER") + ", " +
				d.cast(c.arg(dbTime(snaps[i].CollectedAt)), "TIMESTAMPTZ") + ")"
		}
		res, err := tx.ExecContext(ctx, `WITH v (id, attempts, collected_at) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE audit_logs SET status = 'processed', processed_at = `+at+`, error = '', collected_at = v.collected_at
			FROM v WHERE audit_logs.id = v.id AND audit_logs.status = 'processing' AND audit_logs.attempts = v.attempts`, c.args...)
		if err != nil {
			return fmt.Errorf("finish audit logs: %w", err)
		}
		if got, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("finish audit logs: %w", err)
		} else if got != int64(len(part)) {
			return errClaimLost
		}
	}
	return nil
}

// changedSite is one changed snapshot of applyChanged, planned.
type changedSite struct {
	i          int // into logs and snaps
	plan       *historyPlan
	versionIDs map[versionKey]int64
}

// applyChanged applies in-order snapshots of distinct, locked sites that
// changed their inventory: the history they write, their site_modules
// rows written once each with its verdict (one analysis for the round,
// before the writes), the sites' inventory, and the exposures and counts
// following the verdicts (followVerdicts).
func (s *Store) applyChanged(ctx context.Context, tx *sql.Tx, counted *counts, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot, idx []int,
	sites map[int64]*lockedSite, an fleetwatch.Analyzer, cat *catalog, out []*fleetwatch.ApplyResult, t time.Time) error {
	ws, err := s.planChanged(ctx, tx, logs, snaps, idx, sites, cat, out, t)
	if err != nil {
		return err
	}
	lists := make([][]fleetwatch.ModuleChange, len(ws))
	for k, w := range ws {
		lists[k] = w.plan.changes
	}
	all := slices.Concat(lists...) // allocated once, at its size
	vs := verdicts{}
	if an != nil && len(all) > 0 {
		got, err := analyze(ctx, an, all)
		if err != nil {
			return fmt.Errorf("analyze changes: %w", err)
		}
		for k := range got {
			vs[[2]int64{got[k].SiteID, got[k].ModuleID}] = &got[k]
		}
	}
	plans := make([]*historyPlan, len(ws))
	upserts := make([]siteModuleRow, 0, len(all))
	removed := map[int64][]int64{}
	var touched []int64
	for k, w := range ws {
		siteID := snaps[w.i].SiteID
		status := make(map[int64]string, len(w.plan.changes))
		for _, ch := range w.plan.changes {
			if v := vs[[2]int64{siteID, ch.ModuleID}]; v != nil {
				// The verdict is of the version the push installs.
				v.VersionID, status[ch.ModuleID] = w.versionIDs[versionKey{ch.ModuleID, ch.ToVersion}], v.Status
			}
		}
		w.plan.fill(status)
		plans[k] = w.plan
		var rm []int64
		upserts, rm = siteModuleRows(upserts, siteID, w.plan.changes, w.versionIDs, vs)
		if len(rm) > 0 {
			removed[siteID] = rm
		}
		if len(w.plan.changes) > 0 {
			touched = append(touched, siteID)
		}
	}
	opened, err := mergePlans(plans).write(ctx, tx, s.d, nil)
	if err != nil {
		return err
	}
	if err := writeSiteModules(ctx, tx, s.d, upserts, opened, removed, t); err != nil {
		return err
	}
	if err := s.updateSites(ctx, tx, logs, snaps, idx, true); err != nil {
		return err
	}
	slices.Sort(touched)
	if an == nil {
		// The rows stay unknown (and stale) until the analysis completes
		// them, exposures included; their counts change all the same.
		return refreshSiteCounters(ctx, tx, s.d, touched, counted)
	}
	ch, err := followVerdicts(ctx, tx, s.d, counted, vs, siteScopes(touched, s.d), touched, t)
	if err != nil {
		return err
	}
	bySite := map[int64]*fleetwatch.ApplyResult{}
	for _, i := range idx {
		bySite[snaps[i].SiteID] = out[i]
	}
	for _, e := range ch.Opened {
		bySite[e.SiteID].Exposures.Opened = append(bySite[e.SiteID].Exposures.Opened, e)
	}
	for _, e := range ch.Resolved {
		bySite[e.SiteID].Exposures.Resolved = append(bySite[e.SiteID].Exposures.Resolved, e)
	}
	return nil
}

// planChanged plans the history of the changed snapshots of idx and
// returns their changes, described as the transaction leaves the site
// (organization, first seen, core), also in out. A snapshot collected
// before an open interval of its site started (a feed change split it
// since) is planned from the site's history around it; the others from
// the open intervals, read at once.
func (s *Store) planChanged(ctx context.Context, tx *sql.Tx, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot, idx []int,
	sites map[int64]*lockedSite, cat *catalog, out []*fleetwatch.ApplyResult, t time.Time) ([]changedSite, error) {
	hist, later, err := openIntervals(ctx, tx, s.d, snaps, idx)
	if err != nil {
		return nil, err
	}
	ws := make([]changedSite, 0, len(idx))
	lists := make([][]fleetwatch.ModuleChange, 0, len(idx))
	for _, i := range idx {
		snap := snaps[i]
		moduleIDs, versionIDs, err := cat.ids(ctx, tx, s.d, snap.Projects, t)
		if err != nil {
			return nil, err
		}
		collected := dbTime(snap.CollectedAt)
		plan := planFromHistory(snap, hist[snap.SiteID], moduleIDs, collected, nil)
		if slices.Contains(later, i) {
			if plan, err = planHistory(ctx, tx, s.d, snap, moduleIDs, collected, nil); err != nil {
				return nil, err
			}
		}
		ls := sites[snap.SiteID]
		fs := dbTime(logs[i].CreatedAt)
		if ls.firstSeen.Valid && ls.firstSeen.Time.Before(fs) {
			fs = ls.firstSeen.Time.UTC()
		}
		for k := range plan.changes {
			plan.changes[k].OrganizationID, plan.changes[k].SiteFirstSeenAt, plan.changes[k].SiteCoreVersion = ls.orgID, &fs, snap.CoreVersion
		}
		out[i].Changes = plan.changes
		ws = append(ws, changedSite{i, plan, versionIDs})
		lists = append(lists, plan.changes)
	}
	return ws, nameGone(ctx, tx, s.d, lists...)
}

// updateSites notes the snapshots of idx on their sites: the collection
// and seen times move, and with inventory (changed snapshots) the site's
// core and PHP versions and inventory hash become the snapshot's. An
// unchanged snapshot may be Partial, and has only its times to give.
func (s *Store) updateSites(ctx context.Context, tx *sql.Tx, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot, idx []int, inventory bool) error {
	cols, set := "id, collected, seen", ""
	if inventory {
		cols, set = cols+", core_version, php_version, hash", `core_version = v.core_version, php_version = v.php_version, inventory_hash = v.hash,
				`
	}
	for part := range chunks(idx, s.d.rowBatch(6)) {
		var c conds
		rows := make([]string, len(part))
		for j, i := range part {
			snap := snaps[i]
			row := s.d.cast(c.arg(snap.SiteID), "BIGINT") + ", " + s.d.cast(c.arg(dbTime(snap.CollectedAt)), "TIMESTAMPTZ") + ", " +
				s.d.cast(c.arg(dbTime(logs[i].CreatedAt)), "TIMESTAMPTZ")
			if inventory {
				row += ", " + s.d.cast(c.arg(snap.CoreVersion), "TEXT") + ", " + s.d.cast(c.arg(snap.PHPVersion), "TEXT") + ", " + s.d.cast(c.arg(snap.Hash), "TEXT")
			}
			rows[j] = "(" + row + ")"
		}
		if _, err := tx.ExecContext(ctx, `WITH v (`+cols+`) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE sites SET `+set+`inventory_collected_at = v.collected,
				last_seen_at = CASE WHEN sites.last_seen_at IS NULL OR sites.last_seen_at < v.seen THEN v.seen ELSE sites.last_seen_at END,
				first_seen_at = CASE WHEN sites.first_seen_at IS NULL OR sites.first_seen_at > v.seen THEN v.seen ELSE sites.first_seen_at END
			FROM v WHERE sites.id = v.id`, c.args...); err != nil {
			return fmt.Errorf("update sites: %w", err)
		}
	}
	return nil
}
