package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// ApplySnapshot applies the inventory of a claimed audit log and marks the
// log processed, in one transaction:
//
//   - a snapshot as new as the site's newest, with the same hash, only moves
//     last_seen_at (the normal case of a fleet pushing on a schedule);
//   - a newer snapshot updates the catalog, module_versions, the site's
//     current modules (site_modules), its history and core/PHP versions,
//     hands the changed rows to the analyzer, writes its verdicts and
//     opens and resolves the site's exposures to match;
//   - an older snapshot (out of order) fills history where it belongs and
//     never touches current state.
func (s *Store) ApplySnapshot(ctx context.Context, l *fleetwatch.AuditLog, snap *fleetwatch.Snapshot, an fleetwatch.Analyzer) (*fleetwatch.ApplyResult, error) {
	var res *fleetwatch.ApplyResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = s.applySnapshot(ctx, tx, l, snap, an)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ApplySnapshots is ApplySnapshot for several claimed logs in one
// transaction (one commit for the lot), applied in the order given: the
// logs of one site must come in id order. Any error rolls back all of them;
// the caller then applies them one by one.
func (s *Store) ApplySnapshots(ctx context.Context, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot, an fleetwatch.Analyzer) ([]*fleetwatch.ApplyResult, error) {
	out := make([]*fleetwatch.ApplyResult, len(logs))
	// The catalog rows (modules, module_versions) the batch needs are
	// inserted first, in a short transaction of their own and in name and
	// version order: inserted inside the long batch transaction they stay
	// locked till its end, and two workers' batches deadlock on them.
	var all []fleetwatch.SnapshotProject
	seen := map[[2]string]bool{}
	for _, snap := range snaps {
		for _, p := range snap.Projects {
			if k := [2]string{p.Name, p.Version}; !seen[k] {
				seen[k] = true
				all = append(all, p)
			}
		}
	}
	slices.SortFunc(all, func(a, b fleetwatch.SnapshotProject) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Version, b.Version))
	})
	if err := s.inTx(ctx, func(tx *sql.Tx) error {
		names := slices.CompactFunc(slices.Clone(all), func(a, b fleetwatch.SnapshotProject) bool { return a.Name == b.Name })
		ids, err := ensureModules(ctx, tx, s.d, names, s.clock())
		if err != nil {
			return err
		}
		_, err = ensureVersions(ctx, tx, s.d, all, ids, s.clock())
		return err
	}); err != nil {
		return nil, err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, l := range logs {
			res, err := s.applySnapshot(ctx, tx, l, snaps[i], an)
			if err != nil {
				return err
			}
			out[i] = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ApplyBatchSize is how many snapshots ApplySnapshots should get at once:
// SQLite's single writer blocks the pushes while a transaction runs, so it
// gets short ones.
func (s *Store) ApplyBatchSize() int {
	if s.d == sqliteDialect {
		return 8
	}
	return 64
}

func (s *Store) applySnapshot(ctx context.Context, tx *sql.Tx, l *fleetwatch.AuditLog, snap *fleetwatch.Snapshot, an fleetwatch.Analyzer) (res *fleetwatch.ApplyResult, err error) {
	err = func() error {
		res = &fleetwatch.ApplyResult{}
		t := s.clock()
		collected := dbTime(snap.CollectedAt)
		if err := finishClaim(ctx, tx, l, collected, t); err != nil {
			return err
		}
		// The normal case first, in one statement: a snapshot as new as the
		// site's newest with the same hash only moves the times. The UPDATE
		// takes the site's row lock like the site lock below.
		seen := dbTime(l.CreatedAt)
		err := tx.QueryRowContext(ctx, `UPDATE sites SET inventory_collected_at = $1,
			last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < $2 THEN $2 ELSE last_seen_at END,
			first_seen_at = CASE WHEN first_seen_at IS NULL OR first_seen_at > $2 THEN $2 ELSE first_seen_at END
			WHERE id = $3 AND inventory_hash = $4 AND (inventory_collected_at IS NULL OR inventory_collected_at <= $1)
			RETURNING organization_id, uuid, name`, collected, seen, snap.SiteID, snap.Hash).Scan(
			&res.OrganizationID, &res.SiteUUID, &res.SiteName)
		if err == nil {
			res.Unchanged = true
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("touch site: %w", err)
		}
		// The site's row lock serializes the snapshots of one site.
		var (
			hash               string
			current, firstSeen sql.NullTime
		)
		if err := tx.QueryRowContext(ctx, `SELECT inventory_hash, inventory_collected_at, organization_id, uuid, name, first_seen_at
			FROM sites WHERE id = $1`+s.d.lockSite, snap.SiteID).Scan(&hash, &current, &res.OrganizationID,
			&res.SiteUUID, &res.SiteName, &firstSeen); err != nil {
			return fmt.Errorf("lock site: %w", err)
		}
		// first_seen_at as this transaction leaves it.
		if !firstSeen.Valid || firstSeen.Time.After(seen) {
			firstSeen = sql.NullTime{Time: seen, Valid: true}
		}
		inOrder := !current.Valid || !collected.Before(current.Time)
		if inOrder && hash == snap.Hash {
			// Only when the row changed between the two statements (SQLite
			// compares the stored time as text).
			res.Unchanged = true
			if _, err := tx.ExecContext(ctx, `UPDATE sites SET inventory_collected_at = $1,
				last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < $2 THEN $2 ELSE last_seen_at END,
				first_seen_at = CASE WHEN first_seen_at IS NULL OR first_seen_at > $2 THEN $2 ELSE first_seen_at END
				WHERE id = $3`, collected, seen, snap.SiteID); err != nil {
				return fmt.Errorf("touch site: %w", err)
			}
			return nil
		}

		moduleIDs, err := ensureModules(ctx, tx, s.d, snap.Projects, t)
		if err != nil {
			return err
		}
		versionIDs, err := ensureVersions(ctx, tx, s.d, snap.Projects, moduleIDs, t)
		if err != nil {
			return err
		}
		var next *time.Time
		if !inOrder {
			res.OutOfOrder = true
			next, err = nextSnapshotTime(ctx, tx, snap.SiteID, collected, current.Time)
			if err != nil {
				return err
			}
		}
		changes, err := applyHistory(ctx, tx, s.d, snap, moduleIDs, collected, next)
		if err != nil {
			return err
		}
		if !inOrder {
			// History only; the site was seen all the same.
			if _, err := tx.ExecContext(ctx, `UPDATE sites SET
				last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < $1 THEN $1 ELSE last_seen_at END,
				first_seen_at = CASE WHEN first_seen_at IS NULL OR first_seen_at > $1 THEN $1 ELSE first_seen_at END
				WHERE id = $2`, seen, snap.SiteID); err != nil {
				return fmt.Errorf("touch site: %w", err)
			}
			return nil
		}
		fs := firstSeen.Time.UTC()
		for i := range changes {
			changes[i].OrganizationID, changes[i].SiteFirstSeenAt = res.OrganizationID, &fs
		}
		res.Changes = changes
		if err := applySiteModules(ctx, tx, s.d, snap, changes, versionIDs, t); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sites SET core_version = $1, php_version = $2,
			inventory_hash = $3, inventory_collected_at = $4,
			last_seen_at = CASE WHEN last_seen_at IS NULL OR last_seen_at < $5 THEN $5 ELSE last_seen_at END,
			first_seen_at = CASE WHEN first_seen_at IS NULL OR first_seen_at > $5 THEN $5 ELSE first_seen_at END
			WHERE id = $6`, snap.CoreVersion, snap.PHPVersion, snap.Hash, collected, seen, snap.SiteID); err != nil {
			return fmt.Errorf("update site inventory: %w", err)
		}
		if an == nil || len(changes) == 0 {
			// Without an analyzer the rows stay unknown (and stale) until
			// the analysis completes them, exposures included.
			if len(changes) > 0 {
				return refreshSiteCounters(ctx, tx, s.d, []int64{snap.SiteID})
			}
			return nil
		}
		verdicts, err := analyze(ctx, an, changes)
		if err != nil {
			return fmt.Errorf("analyze changes: %w", err)
		}
		if err := writeVerdicts(ctx, tx, s.d, verdicts, t); err != nil {
			return err
		}
		// The exposures follow the verdicts in the same transaction.
		exposures := map[int64]*fleetwatch.Exposure{}
		for _, v := range verdicts {
			if v.SiteID == snap.SiteID && v.Exposure != nil {
				exposures[v.ModuleID] = v.Exposure
			}
		}
		res.Exposures, err = syncExposures(ctx, tx, s.d, `sm.site_id = $1`, []any{snap.SiteID}, t,
			func(in *fleetwatch.Install) *fleetwatch.Exposure { return exposures[in.ModuleID] })
		if err != nil {
			return err
		}
		return refreshSiteCounters(ctx, tx, s.d, []int64{snap.SiteID})
	}()
	if err != nil {
		return nil, err
	}
	return res, nil
}

// nextSnapshotTime returns the collection time of the site's first applied
// snapshot after collected: where an out-of-order snapshot's validity ends.
func nextSnapshotTime(ctx context.Context, tx *sql.Tx, siteID int64, collected, newest time.Time) (*time.Time, error) {
	// ORDER BY … LIMIT 1 rather than min(): SQLite returns an aggregate of
	// a DATETIME column as text.
	var next sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT collected_at FROM audit_logs
		WHERE site_id = $1 AND collected_at > $2 AND status = 'processed'
		ORDER BY collected_at LIMIT 1`, siteID, collected).Scan(&next)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("find next snapshot: %w", err)
	}
	if !next.Valid {
		// Only when the newer snapshot's log is gone; the site's newest
		// collection time bounds it then.
		t := newest.UTC()
		return &t, nil
	}
	t := next.Time.UTC()
	return &t, nil
}

// applySiteModules brings site_modules to the snapshot: added and changed
// projects are upserted with status unknown (the analyzer judges them),
// removed ones deleted.
func applySiteModules(ctx context.Context, tx *sql.Tx, d *dialect, snap *fleetwatch.Snapshot, changes []fleetwatch.ModuleChange, versionIDs map[versionKey]int64, t time.Time) error {
	var upserts []any
	var removed []int64
	for _, ch := range changes {
		if ch.ToVersion == "" {
			removed = append(removed, ch.ModuleID)
			continue
		}
		upserts = append(upserts, snap.SiteID, ch.ModuleID, versionIDs[versionKey{ch.ModuleID, ch.ToVersion}], ch.Datestamp, t, t)
	}
	n := 6 * d.rowBatch(6)
	for i := 0; i < len(upserts); i += n {
		var c conds
		if _, err := tx.ExecContext(ctx, `INSERT INTO site_modules (site_id, module_id, current_version_id, datestamp, created_at, updated_at)
			VALUES `+placeholders(&c, 6, upserts[i:min(i+n, len(upserts))]...)+`
			ON CONFLICT (site_id, module_id) DO UPDATE SET current_version_id = excluded.current_version_id,
				datestamp = excluded.datestamp, status = 'unknown', update_available = FALSE, security_update = FALSE,
				latest_version = '', recommended_version = '', security_updates = '[]', severity = NULL,
				also_available = '[]', reasons = '[]', updated_at = excluded.updated_at`, c.args...); err != nil {
			return fmt.Errorf("upsert site modules: %w", err)
		}
	}
	for part := range chunks(removed, d.inBatch()) {
		var c conds
		site := c.arg(snap.SiteID)
		if _, err := tx.ExecContext(ctx, `DELETE FROM site_modules WHERE site_id = `+site+` AND module_id IN (`+
			idList(&c, part)+`)`, c.args...); err != nil {
			return fmt.Errorf("delete site modules: %w", err)
		}
	}
	return nil
}

// writeVerdicts stores the analyzer's verdicts on site_modules — a full
// analysis, so the rows are not stale — and on the open history intervals
// they describe. Verdicts that say the same thing (most of a site's projects
// are up to date, or unknown) are written by one statement per site and
// chunk of modules instead of one per row.
func writeVerdicts(ctx context.Context, tx *sql.Tx, d *dialect, verdicts []fleetwatch.ModuleVerdict, t time.Time) error {
	type group struct {
		v       *fleetwatch.ModuleVerdict
		sec     string
		also    string
		reasons string
		ids     []int64
	}
	var order []string
	groups := map[string]*group{}
	history := map[[2]any][]int64{} // (site, status) → modules
	var historyOrder [][2]any
	for i := range verdicts {
		v := &verdicts[i]
		sec, _ := json.Marshal(nonNil(v.SecurityUpdates))
		also, _ := json.Marshal(nonNil(v.AlsoAvailable))
		reasons, _ := json.Marshal(nonNil(v.Reasons))
		key := fmt.Sprintf("%d\x00%s\x00%t\x00%t\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s", v.SiteID, v.Status, v.UpdateAvailable,
			v.SecurityUpdate, v.LatestVersion, v.RecommendedVersion, sec, v.Severity, also, reasons)
		g := groups[key]
		if g == nil {
			g = &group{v: v, sec: string(sec), also: string(also), reasons: string(reasons)}
			groups[key] = g
			order = append(order, key)
		}
		g.ids = append(g.ids, v.ModuleID)
		hk := [2]any{v.SiteID, v.Status}
		if _, ok := history[hk]; !ok {
			historyOrder = append(historyOrder, hk)
		}
		history[hk] = append(history[hk], v.ModuleID)
	}
	for _, key := range order {
		g := groups[key]
		v := g.v
		var severity any
		if v.Severity != "" {
			severity = v.Severity
		}
		for part := range chunks(g.ids, d.inBatch()) {
			var c conds
			set := `UPDATE site_modules SET status = ` + c.arg(v.Status) + `, update_available = ` + c.arg(v.UpdateAvailable) +
				`, security_update = ` + c.arg(v.SecurityUpdate) + `, latest_version = ` + c.arg(v.LatestVersion) +
				`, recommended_version = ` + c.arg(v.RecommendedVersion) + `, security_updates = ` + c.arg(g.sec) +
				`, severity = ` + c.arg(severity) + `, also_available = ` + c.arg(g.also) + `, reasons = ` + c.arg(g.reasons)
			at := c.arg(t)
			set += `, analyzed_at = ` + at + `, updated_at = ` + at + ` WHERE site_id = ` + c.arg(v.SiteID) +
				` AND module_id IN (` + idList(&c, part) + `)`
			if _, err := tx.ExecContext(ctx, set, c.args...); err != nil {
				return fmt.Errorf("write verdict: %w", err)
			}
		}
	}
	for _, hk := range historyOrder {
		for part := range chunks(history[hk], d.inBatch()) {
			var c conds
			q := `UPDATE site_module_history SET status = ` + c.arg(hk[1]) + ` WHERE site_id = ` + c.arg(hk[0]) +
				` AND valid_to IS NULL AND module_id IN (` + idList(&c, part) + `)`
			if _, err := tx.ExecContext(ctx, q, c.args...); err != nil {
				return fmt.Errorf("write verdict history: %w", err)
			}
		}
	}
	return nil
}

// analyze runs the analyzer, turning a panic into an error so that the
// transaction rolls back instead of holding its connection.
func analyze(ctx context.Context, an fleetwatch.Analyzer, changes []fleetwatch.ModuleChange) (v []fleetwatch.ModuleVerdict, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("analyzer panicked: %v", p)
		}
	}()
	return an.Analyze(ctx, changes)
}
