package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
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
//
// It is ApplySnapshots of one: the same rounds, and the same catalog cache.
func (s *Store) ApplySnapshot(ctx context.Context, l *fleetwatch.AuditLog, snap *fleetwatch.Snapshot, an fleetwatch.Analyzer) (*fleetwatch.ApplyResult, error) {
	res, err := s.ApplySnapshots(ctx, []*fleetwatch.AuditLog{l}, []*fleetwatch.Snapshot{snap}, an)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// ApplySnapshots is ApplySnapshot for several claimed logs in one
// transaction (one commit for the lot), applied in the order given: the
// logs of one site must come in id order, and the sites in id order (the
// order their rows are locked in). The logs are applied in rounds of one
// snapshot per site, each set-based (applyRound). Any error rolls back all
// of them; the caller then applies them one by one.
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
	cat, missing := s.catalogIDs.lookup(all)
	if len(missing) > 0 {
		if err := s.inTx(ctx, func(tx *sql.Tx) error {
			names := slices.CompactFunc(slices.Clone(missing), func(a, b fleetwatch.SnapshotProject) bool { return a.Name == b.Name })
			modules, err := ensureModules(ctx, tx, s.d, names, s.clock())
			if err != nil {
				return err
			}
			maps.Copy(cat.modules, modules)
			versions, err := ensureVersions(ctx, tx, s.d, missing, cat.modules, s.clock())
			maps.Copy(cat.versions, versions)
			return err
		}); err != nil {
			return nil, err
		}
		s.catalogIDs.add(cat)
	}
	err := s.inCountedTx(ctx, func(tx *sql.Tx, c *counts) error {
		for _, idx := range rounds(logs) {
			if err := s.applyRound(ctx, tx, c, logs, snaps, idx, an, cat, out); err != nil {
				return err
			}
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

// catalogCache remembers the ids of modules and module versions, which
// never change or go once committed, so that a batch of snapshots reads
// only the catalog rows it has not seen yet.
type catalogCache struct {
	mu       sync.Mutex
	modules  map[string]int64
	versions map[versionKey]int64
}

// lookup returns a catalog of the ids of ps the cache knows, and the
// projects whose module or version it does not know.
func (cc *catalogCache) lookup(ps []fleetwatch.SnapshotProject) (*catalog, []fleetwatch.SnapshotProject) {
	cat := &catalog{modules: map[string]int64{}, versions: map[versionKey]int64{}}
	var missing []fleetwatch.SnapshotProject
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for _, p := range ps {
		id, ok := cc.modules[p.Name]
		vid, vok := cc.versions[versionKey{id, p.Version}]
		if !ok || !vok {
			missing = append(missing, p)
			continue
		}
		cat.modules[p.Name], cat.versions[versionKey{id, p.Version}] = id, vid
	}
	return cat, missing
}

// add remembers the ids of a committed catalog.
func (cc *catalogCache) add(cat *catalog) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.modules == nil {
		cc.modules, cc.versions = map[string]int64{}, map[versionKey]int64{}
	}
	maps.Copy(cc.modules, cat.modules)
	maps.Copy(cc.versions, cat.versions)
}

// catalog holds the ids of the modules and versions a batch of snapshots
// needs, ensured once before the batch.
type catalog struct {
	modules  map[string]int64
	versions map[versionKey]int64
}

// ids returns the module and version ids of the projects: from the batch's
// catalog, which ApplySnapshots filled before its transaction, else (should
// one be missing) ensured in tx.
func (c *catalog) ids(ctx context.Context, tx *sql.Tx, d *dialect, ps []fleetwatch.SnapshotProject, t time.Time) (map[string]int64, map[versionKey]int64, error) {
	all := true
	for _, p := range ps {
		id, ok := c.modules[p.Name]
		if _, vok := c.versions[versionKey{id, p.Version}]; !ok || !vok {
			all = false
			break
		}
	}
	if all {
		return c.modules, c.versions, nil
	}
	moduleIDs, err := ensureModules(ctx, tx, d, ps, t)
	if err != nil {
		return nil, nil, err
	}
	versionIDs, err := ensureVersions(ctx, tx, d, ps, moduleIDs, t)
	if err != nil {
		return nil, nil, err
	}
	return moduleIDs, versionIDs, nil
}

// ApplyParallelism is how many ApplySnapshots may usefully run at once:
// one on SQLite, whose single writer would only queue the others (and the
// pushes behind them).
func (s *Store) ApplyParallelism() int {
	if s.d == sqliteDialect {
		return 1
	}
	return 8
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

// siteModuleRow is a site_modules row as a change writes it; created_at
// and updated_at are the write's time, and so is analyzed_at when the row
// has its verdict.
type siteModuleRow struct {
	siteID, moduleID, versionID, datestamp int64
	verdict                                storedVerdict
	analyzed                               bool
	// existed: the site had the project before the change (it has a row to
	// update).
	existed bool
	// historyID and historyFrom link the interval the change opened (0
	// and zero when none).
	historyID   int64
	historyFrom time.Time
}

// values returns the row's values in upsertSiteModules' column order.
func (r *siteModuleRow) values(t time.Time) []any {
	var analyzed, history, from any
	if r.analyzed {
		analyzed = t
	}
	if r.historyID != 0 {
		history, from = r.historyID, r.historyFrom
	}
	out := make([]any, 0, siteModuleCols)
	out = append(out, r.siteID, r.moduleID, r.versionID, r.datestamp)
	out = append(out, r.verdict.values()...)
	return append(out, analyzed, t, t, history, from)
}

// siteModuleCols is the width of siteModuleRow's values.
const siteModuleCols = 18

// upsertSiteModules and upsertSiteModulesConflict are the site_modules
// upsert around a VALUES list of its rows in siteModuleRow's column order
// (SQLite); PostgreSQL's upsert (writeSiteModulesPG) selects its rows from
// arrays and shares the conflict clause.
const (
	upsertSiteModules = `INSERT INTO site_modules (site_id, module_id, current_version_id, datestamp,
		status, update_available, security_update, latest_version, recommended_version, security_updates,
		severity, also_available, reasons_id, analyzed_at, created_at, updated_at, history_id, history_from)`
	upsertSiteModulesConflict = `ON CONFLICT (site_id, module_id) DO UPDATE SET current_version_id = excluded.current_version_id,
		datestamp = excluded.datestamp, status = excluded.status, update_available = excluded.update_available,
		security_update = excluded.security_update, latest_version = excluded.latest_version,
		recommended_version = excluded.recommended_version, security_updates = excluded.security_updates,
		severity = excluded.severity, also_available = excluded.also_available, reasons_id = excluded.reasons_id,
		analyzed_at = excluded.analyzed_at, updated_at = excluded.updated_at, history_id = excluded.history_id,
		history_from = excluded.history_from`
)

// unknownVerdict is the verdict of a row the analysis has not judged yet.
var unknownVerdict = newStoredVerdict(fleetwatch.ModuleStatusUnknown, false, false, "", "", nil, "", nil, nil)

// siteModuleRows appends to rows the site_modules rows to write for a
// site's changes, and returns them with the modules to delete. The rows'
// history links are left for writeSiteModules.
func siteModuleRows(rows []siteModuleRow, siteID int64, changes []fleetwatch.ModuleChange, versionIDs map[versionKey]int64,
	vs verdicts) ([]siteModuleRow, []int64) {
	var removed []int64
	for _, ch := range changes {
		if ch.ToVersion == "" {
			removed = append(removed, ch.ModuleID)
			continue
		}
		r := siteModuleRow{siteID: siteID, moduleID: ch.ModuleID, versionID: versionIDs[versionKey{ch.ModuleID, ch.ToVersion}],
			datestamp: ch.Datestamp, verdict: unknownVerdict, existed: ch.FromVersion != ""}
		if v := vs[[2]int64{siteID, ch.ModuleID}]; v != nil {
			r.verdict, r.analyzed = newStoredVerdict(v.Status, v.UpdateAvailable, v.SecurityUpdate, v.LatestVersion, v.RecommendedVersion,
				v.SecurityUpdates, v.Severity, v.AlsoAvailable, v.Reasons), true
		}
		rows = append(rows, r)
	}
	return rows, removed
}

// writeSiteModules writes the rows of siteModuleRows, each linked to the
// interval its change opened, and deletes the removed modules of each site.
func writeSiteModules(ctx context.Context, tx *sql.Tx, d *dialect, rows []siteModuleRow, opened historyLinks, removed map[int64][]int64, t time.Time) error {
	verdicts := make([]*storedVerdict, len(rows))
	for i := range rows {
		if l, ok := opened[[2]int64{rows[i].siteID, rows[i].moduleID}]; ok {
			rows[i].historyID, rows[i].historyFrom = l.id, l.from
		}
		verdicts[i] = &rows[i].verdict
	}
	if err := linkReasons(ctx, tx, d, verdicts); err != nil {
		return err
	}
	if d == postgres {
		if err := writeSiteModulesPG(ctx, tx, rows, t); err != nil {
			return err
		}
	} else {
		for part := range chunks(rows, d.rowBatch(siteModuleCols)) {
			var c conds
			values := make([]any, 0, siteModuleCols*len(part))
			for i := range part {
				values = append(values, part[i].values(t)...)
			}
			if _, err := tx.ExecContext(ctx, upsertSiteModules+` VALUES `+placeholders(&c, siteModuleCols, values...)+
				` `+upsertSiteModulesConflict, c.args...); err != nil {
				return fmt.Errorf("upsert site modules: %w", err)
			}
		}
	}
	for siteID, ids := range removed {
		for part := range chunks(ids, d.inBatch()) {
			var c conds
			site := c.arg(siteID)
			if _, err := tx.ExecContext(ctx, `DELETE FROM site_modules WHERE site_id = `+site+` AND `+
				c.in(d, "module_id", part), c.args...); err != nil {
				return fmt.Errorf("delete site modules: %w", err)
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
