package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// interval is one row of site_module_history.
type interval struct {
	id        int64
	moduleID  int64
	version   string
	datestamp int64
	status    string
	validFrom time.Time
	validTo   *time.Time
}

// historyPlan is what a snapshot writes into site_module_history, as
// changes only: the changes, the intervals to
// end or drop, and the rows to insert. The status of the
// interval each changed project opens is filled in by write, so that an
// analysis made before the writes lands with the rows.
type historyPlan struct {
	changes []fleetwatch.ModuleChange
	closeID []int64
	closeAt []time.Time // when each of closeID ends
	dropID  []int64
	inserts []historyInsert
	opened  map[int64]int // module → index of its new interval in inserts
}

// historyInsert is a site_module_history row to insert (to nil: open).
type historyInsert struct {
	siteID, moduleID int64
	version          string
	datestamp        int64
	status           string
	from             time.Time
	to               *time.Time
}

// historyInsertCols is the width of historyInsert's values.
const historyInsertCols = 7

// values returns the row's values in the order of its INSERT's columns.
func (r *historyInsert) values() []any {
	var to any
	if r.to != nil {
		to = *r.to
	}
	return []any{r.siteID, r.moduleID, r.version, r.datestamp, r.status, r.from, to}
}

// planHistory reads the intervals the snapshot replaces and plans the
// writes of what the snapshot says the site ran from collected until next
// (nil: until further notice), without writing.
//
// Versions change only at snapshots, so the intervals of a project that
// overlap [collected, next) are the one valid at collected and those a feed
// change started since (a status split). When the one valid at collected
// holds the snapshot's version nothing is written. Otherwise each ends at
// collected (or is dropped when it starts there or later), the snapshot's
// version fills [collected, next), and — for an out-of-order snapshot —
// what each held after next resumes there.
func planHistory(ctx context.Context, tx *sql.Tx, snap *fleetwatch.Snapshot, moduleIDs map[string]int64,
	collected time.Time, next *time.Time) (*historyPlan, error) {
	hist, err := readHistory(ctx, tx, []int64{snap.SiteID}, collected, next)
	if err != nil {
		return nil, err
	}
	return planFromHistory(snap, hist[snap.SiteID], moduleIDs, collected, next), nil
}

// historyRow is an interval read by readHistory, with its project.
type historyRow struct {
	interval
	names [3]string // module_name, type, source
}

// historySelect is readHistory's select list, in scanHistory's order;
// readOpen selects the same columns from site_modules.
const historySelect = `SELECT h.site_id, h.id, h.module_id, h.version, h.datestamp, h.status, h.valid_from, h.valid_to, m.module_name, m.type, m.source `

// readHistory returns, per site, the intervals of the sites that end after
// after (or are open) and, with next, start before next, in start order.
func readHistory(ctx context.Context, tx *sql.Tx, siteIDs []int64, after time.Time, next *time.Time) (map[int64][]historyRow, error) {
	var c conds
	sites := c.list(siteIDs)
	cond := ``
	if next != nil {
		cond = ` AND h.valid_from < ` + c.arg(*next)
	}
	// The open intervals and those that end after after, each read by its
	// own partial index on SQLite (an OR of the two reads every interval of
	// the sites). PostgreSQL has no such indexes since 00019: it reads the
	// sites' intervals by (site_id, valid_from), older ones included; only
	// out-of-order snapshots and those a feed change overtook come here.
	const sel = historySelect + `FROM site_module_history h JOIN modules m ON m.id = h.module_id WHERE h.site_id IN (`
	query := sel + sites + `) AND h.valid_to IS NULL` + cond + ` UNION ALL ` +
		sel + sites + `) AND h.valid_to IS NOT NULL AND h.valid_to > ` + c.arg(after) + cond
	return scanHistory(tx.QueryContext(ctx, query+` ORDER BY 1, 7`, c.args...))
}

// readOpen returns, per site, the open intervals of the sites as
// site_modules links them (history_id, history_from; the version and build
// are the row's): all an in-order snapshot needs when none of them starts
// after its collection. The status is left empty: only an out-of-order
// snapshot, which reads history itself, resumes an interval with its status.
// So are the projects' names, which only removed projects need (nameGone).
func readOpen(ctx context.Context, tx *sql.Tx, siteIDs []int64) (map[int64][]historyRow, error) {
	var c conds
	sites := c.list(siteIDs)
	return scanHistory(tx.QueryContext(ctx, `SELECT sm.site_id, sm.history_id, sm.module_id, COALESCE(mv.version_number, ''),
			sm.datestamp, '', sm.history_from, NULL, '', '', ''
		FROM site_modules sm LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
		WHERE sm.site_id IN (`+sites+`) AND sm.history_id IS NOT NULL`, c.args...))
}

// nameGone fills in the project, type and source of the removals among
// the lists of changes that lack them (planned from readOpen's rows), with
// one query for them all.
func nameGone(ctx context.Context, tx *sql.Tx, d *dialect, lists ...[]fleetwatch.ModuleChange) error {
	unnamed := func(ch fleetwatch.ModuleChange) bool { return ch.ToVersion == "" && ch.Project == "" }
	var ids []int64
	for _, changes := range lists {
		for _, ch := range changes {
			if unnamed(ch) {
				ids = append(ids, ch.ModuleID)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	names := map[int64][3]string{}
	for part := range chunks(ids, d.inBatch()) {
		var c conds
		rows, err := tx.QueryContext(ctx, `SELECT id, module_name, type, source FROM modules WHERE id IN (`+idList(&c, part)+`)`, c.args...)
		if err != nil {
			return fmt.Errorf("name removed projects: %w", err)
		}
		for rows.Next() {
			var (
				id int64
				n  [3]string
			)
			if err := rows.Scan(&id, &n[0], &n[1], &n[2]); err != nil {
				rows.Close()
				return fmt.Errorf("name removed projects: %w", err)
			}
			names[id] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("name removed projects: %w", err)
		}
	}
	for _, changes := range lists {
		for i := range changes {
			if n, ok := names[changes[i].ModuleID]; ok && unnamed(changes[i]) {
				changes[i].Project, changes[i].Type, changes[i].Source = n[0], n[1], n[2]
			}
		}
	}
	return nil
}

// scanHistory reads the rows of a historySelect query by site, each
// site's in the query's order.
func scanHistory(rows *sql.Rows, err error) (map[int64][]historyRow, error) {
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	out := map[int64][]historyRow{}
	for rows.Next() {
		var (
			r       historyRow
			siteID  int64
			validTo sql.NullTime
		)
		if err := rows.Scan(&siteID, &r.id, &r.moduleID, &r.version, &r.datestamp, &r.status, &r.validFrom, &validTo,
			&r.names[0], &r.names[1], &r.names[2]); err != nil {
			return nil, fmt.Errorf("scan history: %w", err)
		}
		r.validFrom, r.validTo = r.validFrom.UTC(), timePtr(validTo)
		out[siteID] = append(out[siteID], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	return out, nil
}

// planFromHistory plans a snapshot's history writes from the site's intervals
// (readHistory's rows; those ending at or before collected are ignored).
func planFromHistory(snap *fleetwatch.Snapshot, hist []historyRow, moduleIDs map[string]int64, collected time.Time, next *time.Time) *historyPlan {
	var (
		changes = make([]fleetwatch.ModuleChange, 0, len(snap.Projects))
		closeID = make([]int64, 0, len(hist))
		dropID  []int64
		inserts = make([]historyInsert, 0, len(snap.Projects))
	)
	// The intervals of each project that overlap [collected, next): the
	// one valid at collected (old) and, when a feed changed the project's
	// status after collected, those the change started (later). A changed
	// project ends them all.
	old := make(map[int64]interval, len(hist))
	later := map[int64][]interval{}
	names := make(map[int64][3]string, len(hist))
	for _, r := range hist {
		if r.validTo != nil && !r.validTo.After(collected) {
			continue
		}
		// Rows come in start order.
		if r.validFrom.After(collected) {
			later[r.moduleID] = append(later[r.moduleID], r.interval)
		} else {
			old[r.moduleID] = r.interval
		}
		names[r.moduleID] = r.names
	}
	end := func(id int64) {
		if iv, ok := old[id]; ok {
			closeID, dropID, inserts = endInterval(iv, collected, next, closeID, dropID, inserts, snap.SiteID)
		}
		for _, iv := range later[id] {
			closeID, dropID, inserts = endInterval(iv, collected, next, closeID, dropID, inserts, snap.SiteID)
		}
	}

	var until *time.Time
	if next != nil {
		t := dbTime(*next)
		until = &t
	}
	wanted := make(map[int64]bool, len(snap.Projects))
	opened := make(map[int64]int, len(snap.Projects))
	for _, p := range snap.Projects {
		id := moduleIDs[p.Name]
		wanted[id] = true
		iv, had := old[id]
		// A new build of the same dev version is a change: its status
		// depends on the build time.
		if had && iv.version == p.Version && iv.datestamp == p.Datestamp {
			continue
		}
		ch := fleetwatch.ModuleChange{SiteID: snap.SiteID, ModuleID: id, Project: p.Name, Type: p.Type, Source: p.Source,
			ToVersion: p.Version, Datestamp: p.Datestamp}
		if had {
			ch.FromVersion = iv.version
		}
		end(id)
		opened[id] = len(inserts)
		inserts = append(inserts, historyInsert{snap.SiteID, id, p.Version, p.Datestamp, fleetwatch.ModuleStatusUnknown, collected, until})
		changes = append(changes, ch)
	}
	gone := make([]int64, 0)
	for id := range old {
		if !wanted[id] {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		iv := old[id]
		n := names[id]
		changes = append(changes, fleetwatch.ModuleChange{SiteID: snap.SiteID, ModuleID: id, Project: n[0], Type: n[1], Source: n[2], FromVersion: iv.version})
		end(id)
	}
	closeAt := make([]time.Time, len(closeID))
	for i := range closeAt {
		closeAt[i] = collected
	}
	return &historyPlan{changes: changes, closeID: closeID, closeAt: closeAt, dropID: dropID, inserts: inserts, opened: opened}
}

// fill sets the status of the intervals the changed projects open.
func (p *historyPlan) fill(status map[int64]string) {
	for id, i := range p.opened {
		if st, ok := status[id]; ok {
			p.inserts[i].status = st
		}
	}
}

// mergePlans returns one plan of the writes of ps (filled already).
func mergePlans(ps []*historyPlan) *historyPlan {
	var nc, nd, ni int
	for _, q := range ps {
		nc, nd, ni = nc+len(q.closeID), nd+len(q.dropID), ni+len(q.inserts)
	}
	p := &historyPlan{closeID: make([]int64, 0, nc), closeAt: make([]time.Time, 0, nc), dropID: make([]int64, 0, nd), inserts: make([]historyInsert, 0, ni)}
	for _, q := range ps {
		p.closeID = append(p.closeID, q.closeID...)
		p.closeAt = append(p.closeAt, q.closeAt...)
		p.dropID = append(p.dropID, q.dropID...)
		p.inserts = append(p.inserts, q.inserts...)
	}
	return p
}

// historyLink is what site_modules keeps of a row's open interval: its id
// (history_id) and start (history_from).
type historyLink struct {
	id   int64
	from time.Time
}

// historyLinks are the open intervals a write opened, by site and module.
type historyLinks map[[2]int64]historyLink

// write writes the plan and returns the intervals it opened; status gives
// the status of the intervals the changed projects open (unknown when
// absent).
func (p *historyPlan) write(ctx context.Context, tx *sql.Tx, d *dialect, status map[int64]string) (historyLinks, error) {
	p.fill(status)
	closeID, dropID, inserts := p.closeID, p.dropID, p.inserts
	if err := closeIntervals(ctx, tx, d, closeID, p.closeAt); err != nil {
		return nil, err
	}
	for part := range chunks(dropID, d.inBatch()) {
		var c conds
		if _, err := tx.ExecContext(ctx, `DELETE FROM site_module_history WHERE id IN (`+
			idList(&c, part)+`)`, c.args...); err != nil {
			return nil, fmt.Errorf("replace history: %w", err)
		}
	}
	opened := historyLinks{}
	if d == postgres && len(inserts) > 0 {
		return opened, insertHistoryPG(ctx, tx, inserts, opened)
	}
	for part := range chunks(inserts, d.rowBatch(historyInsertCols)) {
		var c conds
		values := make([]any, 0, historyInsertCols*len(part))
		for i := range part {
			values = append(values, part[i].values()...)
		}
		if err := insertOpened(ctx, tx, opened, `INSERT INTO site_module_history (site_id, module_id, version, datestamp, status, valid_from, valid_to)
			VALUES `+placeholders(&c, historyInsertCols, values...), c.args...); err != nil {
			return nil, err
		}
	}
	return opened, nil
}

// linkOpen points the site_modules rows of opened at the intervals opened
// gives them.
func linkOpen(ctx context.Context, tx *sql.Tx, d *dialect, opened historyLinks) error {
	if len(opened) == 0 {
		return nil
	}
	site, module, id := make([]int64, 0, len(opened)), make([]int64, 0, len(opened)), make([]int64, 0, len(opened))
	from := make([]time.Time, 0, len(opened))
	for k, v := range opened {
		site, module, id, from = append(site, k[0]), append(module, k[1]), append(id, v.id), append(from, v.from)
	}
	if d == postgres {
		if _, err := tx.ExecContext(ctx, `UPDATE site_modules sm SET history_id = v.id, history_from = v.valid_from
			FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[]) AS v (site_id, module_id, id, valid_from)
			WHERE sm.site_id = v.site_id AND sm.module_id = v.module_id`, site, module, id, from); err != nil {
			return fmt.Errorf("link history: %w", err)
		}
		return nil
	}
	n := d.rowBatch(4)
	for i := 0; i < len(id); i += n {
		var c conds
		rows := make([]string, 0, n)
		for j := i; j < min(i+n, len(id)); j++ {
			rows = append(rows, "("+c.arg(site[j])+", "+c.arg(module[j])+", "+c.arg(id[j])+", "+c.arg(from[j])+")")
		}
		if _, err := tx.ExecContext(ctx, `WITH v (site_id, module_id, id, valid_from) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE site_modules SET history_id = v.id, history_from = v.valid_from FROM v
			WHERE site_modules.site_id = v.site_id AND site_modules.module_id = v.module_id`, c.args...); err != nil {
			return fmt.Errorf("link history: %w", err)
		}
	}
	return nil
}

// insertOpened runs query, an INSERT into site_module_history, and notes
// the open intervals it inserted in opened.
func insertOpened(ctx context.Context, tx *sql.Tx, opened historyLinks, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query+` RETURNING site_id, module_id, id, valid_from, valid_to IS NULL`, args...)
	if err != nil {
		return fmt.Errorf("insert history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			site, module int64
			l            historyLink
			open         bool
		)
		if err := rows.Scan(&site, &module, &l.id, &l.from, &open); err != nil {
			return fmt.Errorf("insert history: %w", err)
		}
		if open {
			l.from = l.from.UTC()
			opened[[2]int64{site, module}] = l
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert history: %w", err)
	}
	return nil
}

// closeIntervals ends each interval of ids at the time beside it: one
// statement per chunk, whether the times are all the same (one snapshot)
// or not (a batch of sites).
func closeIntervals(ctx context.Context, tx *sql.Tx, d *dialect, ids []int64, at []time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	if d == postgres {
		return closeIntervalsPG(ctx, tx, ids, at)
	}
	same := true
	for _, t := range at {
		same = same && t.Equal(at[0])
	}
	if same {
		for part := range chunks(ids, d.inBatch()) {
			var c conds
			end := c.arg(at[0])
			if _, err := tx.ExecContext(ctx, `UPDATE site_module_history SET valid_to = `+end+` WHERE id IN (`+
				idList(&c, part)+`)`, c.args...); err != nil {
				return fmt.Errorf("close history: %w", err)
			}
		}
		return nil
	}
	n := d.rowBatch(2)
	for i := 0; i < len(ids); i += n {
		var c conds
		rows := make([]string, 0, n)
		for j := i; j < min(i+n, len(ids)); j++ {
			rows = append(rows, "("+d.cast(c.arg(ids[j]), "BIGINT")+", "+d.cast(c.arg(at[j]), "TIMESTAMPTZ")+")")
		}
		if _, err := tx.ExecContext(ctx, `WITH v (id, valid_to) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE site_module_history SET valid_to = v.valid_to FROM v WHERE site_module_history.id = v.id`, c.args...); err != nil {
			return fmt.Errorf("close history: %w", err)
		}
	}
	return nil
}

// endInterval ends iv at collected — or drops it when it starts there — and,
// when iv outlasts next, lets it resume at next.
func endInterval(iv interval, collected time.Time, next *time.Time, closeID, dropID []int64, inserts []historyInsert, siteID int64) ([]int64, []int64, []historyInsert) {
	if iv.validFrom.Before(collected) {
		closeID = append(closeID, iv.id)
	} else {
		dropID = append(dropID, iv.id)
	}
	if next != nil && (iv.validTo == nil || iv.validTo.After(*next)) {
		var to *time.Time
		if iv.validTo != nil {
			t := dbTime(*iv.validTo)
			to = &t
		}
		inserts = append(inserts, historyInsert{siteID, iv.moduleID, iv.version, iv.datestamp, iv.status, dbTime(*next), to})
	}
	return closeID, dropID, inserts
}

// historySortColumns maps fleetwatch.HistorySortFields to columns.
var historySortColumns = map[string]string{
	"name":       "m.module_name",
	"valid_from": "h.valid_from",
}

// FindHistory returns a page of what the site ran at f.At.
func (s *Store) FindHistory(ctx context.Context, f fleetwatch.HistoryFilter) ([]*fleetwatch.HistoryEntry, int, error) {
	var c conds
	at := c.arg(dbTime(f.At))
	c.add("h.site_id = " + c.arg(f.SiteID))
	c.add("h.valid_from <= " + at)
	c.add("(h.valid_to IS NULL OR h.valid_to > " + at + ")")
	c.search(s.d, f.Q, "m.module_name")
	order, err := orderBy(f.Sort, historySortColumns, []fleetwatch.SortField{{Field: "name"}}, "h.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find history: %w", err)
	}
	from := `FROM site_module_history h JOIN modules m ON m.id = h.module_id `
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+from+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count history: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT m.module_name, m.type, m.source, h.version, h.datestamp, h.status, h.valid_from, h.valid_to `+
		from+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find history: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.HistoryEntry{}
	for rows.Next() {
		var (
			e       fleetwatch.HistoryEntry
			validTo sql.NullTime
		)
		if err := rows.Scan(&e.Name, &e.Type, &e.Source, &e.Version, &e.Datestamp, &e.Status, &e.ValidFrom, &validTo); err != nil {
			return nil, 0, fmt.Errorf("scan history: %w", err)
		}
		e.ValidFrom, e.ValidTo = e.ValidFrom.UTC(), timePtr(validTo)
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find history: %w", err)
	}
	return out, total, nil
}
