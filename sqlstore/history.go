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

// History is kept as change rows (site_module_changes, 00026): one row per
// change of a site's project, at the time it took effect — the version,
// build and status the site ran from then on, or, removed (a NULL version
// and status), that it no longer ran the project. A row ends where the
// next row of the same site and project starts, so a change costs one
// insert and no row is ever ended by a write. The view site_module_history
// gives the rows back as the intervals [valid_from, valid_to) the reads
// and reports ask about, with the ids of the rows they start with.

// change is a row of site_module_changes.
type change struct {
	id        int64
	moduleID  int64
	version   string
	datestamp int64
	status    string
	removed   bool
	from      time.Time
	// open: the project's newest row, the one site_modules links
	// (history_id); only version rows are.
	open bool
}

// historyPlan is what a snapshot writes into site_module_changes: the
// changes, the rows it replaces (drop) and the rows to insert. The status
// of the row each changed project starts is filled in by write, so that an
// analysis made before the writes lands with the rows.
type historyPlan struct {
	changes []fleetwatch.ModuleChange
	dropID  []int64
	inserts []historyInsert
	opened  map[int64]int // module → index of its new row in inserts
}

// historyInsert is a site_module_changes row to insert (removed: a NULL
// version and status); open when it is its project's newest row.
type historyInsert struct {
	siteID, moduleID int64
	version          string
	datestamp        int64
	status           string
	from             time.Time
	removed, open    bool
}

// historyInsertCols is the width of historyInsert's values.
const historyInsertCols = 6

// values returns the row's values in the order of its INSERT's columns.
func (r *historyInsert) values() []any {
	if r.removed {
		return []any{r.siteID, r.moduleID, nil, r.datestamp, nil, r.from}
	}
	return []any{r.siteID, r.moduleID, r.version, r.datestamp, r.status, r.from}
}

// planHistory reads the rows the snapshot may replace and plans the writes
// of what the snapshot says the site ran from collected until next (nil:
// until further notice), without writing.
//
// Versions change only at snapshots, so the rows of a project that matter
// are the one in force at collected and those after it, up to next: a feed
// change's status splits, and a row at next. When the one in force at
// collected holds the snapshot's version nothing is written. Otherwise the
// snapshot's row starts at collected (replacing one that starts there), the
// rows after it before next go, and — for an out-of-order snapshot — what
// held just before next resumes there, unless a row starts at next.
func planHistory(ctx context.Context, tx *sql.Tx, d *dialect, snap *fleetwatch.Snapshot, moduleIDs map[string]int64,
	collected time.Time, next *time.Time) (*historyPlan, error) {
	hist, err := readHistory(ctx, tx, d, []int64{snap.SiteID}, collected, next)
	if err != nil {
		return nil, err
	}
	return planFromHistory(snap, hist[snap.SiteID], moduleIDs, collected, next), nil
}

// historyRow is a row read by readHistory, with its project.
type historyRow struct {
	change
	names [3]string // module_name, type, source
}

// readHistory returns, per site, the rows of each project of the sites
// that a snapshot collected at collected may replace: the one in force at
// collected, and those after it up to next (inclusive; all when next is
// nil), in start order. The rows in force are the newest of each project
// up to collected, picked by a window over the site's rows: the key orders
// a site's rows by time, not by project (00045).
func readHistory(ctx context.Context, tx *sql.Tx, d *dialect, siteIDs []int64, collected time.Time, next *time.Time) (map[int64][]historyRow, error) {
	var c conds
	sites := c.in(d, "h.site_id", siteIDs)
	at := c.arg(collected)
	until := ``
	if next != nil {
		until = ` AND h.valid_from <= ` + c.arg(*next)
	}
	const cols = `h.site_id, h.id, h.module_id, h.version, h.datestamp, h.status, h.valid_from`
	// open: site_modules links the row (its primary key, one probe).
	query := `SELECT ` + cols + `,
			EXISTS (SELECT 1 FROM site_modules sm WHERE sm.site_id = h.site_id AND sm.module_id = h.module_id AND sm.history_id = h.id),
			m.module_name, m.type, m.source
		FROM (
			SELECT ` + cols + ` FROM site_module_changes h WHERE ` + sites + ` AND h.valid_from > ` + at + until + `
			UNION ALL
			SELECT ` + cols + ` FROM (
				SELECT ` + cols + `, row_number() OVER (PARTITION BY h.site_id, h.module_id ORDER BY h.valid_from DESC) AS n
				FROM site_module_changes h WHERE ` + sites + ` AND h.valid_from <= ` + at + `
			) h WHERE h.n = 1
		) h JOIN modules m ON m.id = h.module_id`
	return scanHistory(tx.QueryContext(ctx, query+` ORDER BY 1, 7`, c.args...))
}

// readOpen returns, per site, the open rows of the sites as site_modules
// links them (history_id, history_from; the version and build are the
// row's): all an in-order snapshot needs when none of them starts after
// its collection. The status is left empty: only an out-of-order snapshot,
// which reads history itself, resumes a row with its status. So are the
// projects' names, which only removed projects need (nameGone).
func readOpen(ctx context.Context, tx *sql.Tx, d *dialect, siteIDs []int64) (map[int64][]historyRow, error) {
	var c conds
	return scanHistory(tx.QueryContext(ctx, `SELECT sm.site_id, sm.history_id, sm.module_id, COALESCE(mv.version_number, ''),
			sm.datestamp, '', sm.history_from, TRUE, '', '', ''
		FROM site_modules sm LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
		WHERE `+c.in(d, "sm.site_id", siteIDs)+` AND sm.history_id IS NOT NULL`, c.args...))
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
		rows, err := tx.QueryContext(ctx, `SELECT id, module_name, type, source FROM modules WHERE `+c.in(d, "id", part), c.args...)
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

// scanHistory reads the rows of a readHistory or readOpen query by site,
// each site's in the query's order.
func scanHistory(rows *sql.Rows, err error) (map[int64][]historyRow, error) {
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer rows.Close()
	out := map[int64][]historyRow{}
	// Scanned into once: a variable per row would escape, one allocation
	// each.
	var (
		r               historyRow
		siteID          int64
		version, status sql.NullString
	)
	for rows.Next() {
		if err := rows.Scan(&siteID, &r.id, &r.moduleID, &version, &r.datestamp, &status, &r.from, &r.open,
			&r.names[0], &r.names[1], &r.names[2]); err != nil {
			return nil, fmt.Errorf("scan history: %w", err)
		}
		r.version, r.status, r.removed, r.from = version.String, status.String, !version.Valid, r.from.UTC()
		r.open = r.open && !r.removed
		out[siteID] = append(out[siteID], r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	return out, nil
}

// projectHistory is what a snapshot collected at collected finds of one
// project (readHistory's rows): the row in force at collected (nil: none),
// the rows after it before next (all when next is nil), and whether a row
// starts at next.
type projectHistory struct {
	cur    *change
	later  []change
	atNext bool
}

// planFromHistory plans a snapshot's history writes from the site's rows
// (readHistory's or readOpen's).
func planFromHistory(snap *fleetwatch.Snapshot, hist []historyRow, moduleIDs map[string]int64, collected time.Time, next *time.Time) *historyPlan {
	projects := make(map[int64]*projectHistory, len(hist))
	names := make(map[int64][3]string, len(hist))
	for i := range hist {
		r := &hist[i]
		p := projects[r.moduleID]
		if p == nil {
			p = &projectHistory{}
			projects[r.moduleID] = p
		}
		// Rows come in start order.
		switch {
		case !r.from.After(collected):
			p.cur = &r.change
		case next != nil && r.from.Equal(*next):
			p.atNext = true
		default:
			p.later = append(p.later, r.change)
		}
		names[r.moduleID] = r.names
	}
	plan := &historyPlan{
		changes: make([]fleetwatch.ModuleChange, 0, len(snap.Projects)),
		inserts: make([]historyInsert, 0, len(snap.Projects)),
		opened:  make(map[int64]int, len(snap.Projects)),
	}
	wanted := make(map[int64]bool, len(snap.Projects))
	for _, p := range snap.Projects {
		id := moduleIDs[p.Name]
		wanted[id] = true
		h := projects[id]
		had := h != nil && h.cur != nil && !h.cur.removed
		// A new build of the same dev version is a change: its status
		// depends on the build time.
		if had && h.cur.version == p.Version && h.cur.datestamp == p.Datestamp {
			continue
		}
		ch := fleetwatch.ModuleChange{SiteID: snap.SiteID, ModuleID: id, Project: p.Name, Type: p.Type, Source: p.Source,
			ToVersion: p.Version, Datestamp: p.Datestamp}
		if had {
			ch.FromVersion = h.cur.version
		}
		plan.opened[id] = len(plan.inserts)
		plan.replace(h, historyInsert{siteID: snap.SiteID, moduleID: id, version: p.Version, datestamp: p.Datestamp,
			status: fleetwatch.ModuleStatusUnknown, from: collected, open: next == nil}, next)
		plan.changes = append(plan.changes, ch)
	}
	gone := make([]int64, 0)
	for id, h := range projects {
		if !wanted[id] && h.cur != nil && !h.cur.removed {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		h, n := projects[id], names[id]
		plan.changes = append(plan.changes, fleetwatch.ModuleChange{SiteID: snap.SiteID, ModuleID: id, Project: n[0], Type: n[1], Source: n[2],
			FromVersion: h.cur.version})
		plan.replace(h, historyInsert{siteID: snap.SiteID, moduleID: id, from: collected, removed: true}, next)
	}
	return plan
}

// replace plans row, which starts at collected, in place of what the
// project's history h (nil: none) held from then until next: the row that
// starts at collected and those after it go, and what held just before
// next resumes there unless a row starts at next — or, when nothing did,
// the project ends there.
func (p *historyPlan) replace(h *projectHistory, row historyInsert, next *time.Time) {
	if h == nil {
		h = &projectHistory{}
	}
	if h.cur != nil && !h.cur.from.Before(row.from) {
		p.dropID = append(p.dropID, h.cur.id)
	}
	for _, r := range h.later {
		p.dropID = append(p.dropID, r.id)
	}
	p.inserts = append(p.inserts, row)
	if next == nil || h.atNext {
		return
	}
	before := h.cur
	if len(h.later) > 0 {
		before = &h.later[len(h.later)-1]
	}
	at := dbTime(*next)
	switch {
	case before != nil && !before.removed:
		p.inserts = append(p.inserts, historyInsert{siteID: row.siteID, moduleID: row.moduleID, version: before.version,
			datestamp: before.datestamp, status: before.status, from: at, open: before.open})
	case !row.removed:
		p.inserts = append(p.inserts, historyInsert{siteID: row.siteID, moduleID: row.moduleID, from: at, removed: true})
	}
}

// fill sets the status of the rows the changed projects start.
func (p *historyPlan) fill(status map[int64]string) {
	for id, i := range p.opened {
		if st, ok := status[id]; ok {
			p.inserts[i].status = st
		}
	}
}

// mergePlans returns one plan of the writes of ps (filled already).
func mergePlans(ps []*historyPlan) *historyPlan {
	var nd, ni int
	for _, q := range ps {
		nd, ni = nd+len(q.dropID), ni+len(q.inserts)
	}
	p := &historyPlan{dropID: make([]int64, 0, nd), inserts: make([]historyInsert, 0, ni)}
	for _, q := range ps {
		p.dropID = append(p.dropID, q.dropID...)
		p.inserts = append(p.inserts, q.inserts...)
	}
	return p
}

// historyLink is what site_modules keeps of a row's open history row: its
// id (history_id) and start (history_from).
type historyLink struct {
	id   int64
	from time.Time
}

// historyLinks are the open rows a write inserted, by site and module.
type historyLinks map[[2]int64]historyLink

// write writes the plan — deletes the rows it replaces, then inserts its
// own, one per change — and returns the open rows it inserted; status
// gives the status of the rows the changed projects start (unknown when
// absent).
func (p *historyPlan) write(ctx context.Context, tx *sql.Tx, d *dialect, status map[int64]string) (historyLinks, error) {
	p.fill(status)
	for part := range chunks(p.dropID, d.inBatch()) {
		var c conds
		if _, err := tx.ExecContext(ctx, `DELETE FROM site_module_changes WHERE `+c.in(d, "id", part), c.args...); err != nil {
			return nil, fmt.Errorf("replace history: %w", err)
		}
	}
	if len(p.inserts) == 0 {
		return historyLinks{}, nil
	}
	open := make(map[[2]int64]time.Time, len(p.inserts))
	for _, r := range p.inserts {
		if r.open {
			open[[2]int64{r.siteID, r.moduleID}] = r.from
		}
	}
	opened := make(historyLinks, len(open))
	if d == postgres {
		return opened, insertHistoryPG(ctx, tx, p.inserts, open, opened)
	}
	for part := range chunks(p.inserts, d.rowBatch(historyInsertCols)) {
		var c conds
		values := make([]any, 0, historyInsertCols*len(part))
		for i := range part {
			values = append(values, part[i].values()...)
		}
		if err := insertOpened(ctx, tx, open, opened, `INSERT INTO site_module_changes (site_id, module_id, version, datestamp, status, valid_from)
			VALUES `+placeholders(&c, historyInsertCols, values...), c.args...); err != nil {
			return nil, err
		}
	}
	return opened, nil
}

// insertHistoryPG inserts rows (one statement, a typed array per column)
// and notes in opened those open gives the start of.
func insertHistoryPG(ctx context.Context, tx *sql.Tx, rows []historyInsert, open map[[2]int64]time.Time, opened historyLinks) error {
	n := len(rows)
	var (
		site, module, datestamp = make([]int64, n), make([]int64, n), make([]int64, n)
		version, status         = make([]*string, n), make([]*string, n)
		from                    = make([]time.Time, n)
	)
	for i := range rows {
		r := &rows[i]
		site[i], module[i], datestamp[i], from[i] = r.siteID, r.moduleID, r.datestamp, r.from
		if !r.removed {
			version[i], status[i] = &r.version, &r.status
		}
	}
	return insertOpened(ctx, tx, open, opened, `INSERT INTO site_module_changes (site_id, module_id, version, datestamp, status, valid_from)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[])`,
		site, module, version, datestamp, status, from)
}

// linkOpen points the site_modules rows of opened at the history rows opened
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

// insertOpened runs query, an INSERT into site_module_changes, and notes
// in opened the rows it inserted that open gives the start of.
func insertOpened(ctx context.Context, tx *sql.Tx, open map[[2]int64]time.Time, opened historyLinks, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, query+` RETURNING site_id, module_id, id, valid_from`, args...)
	if err != nil {
		return fmt.Errorf("insert history: %w", err)
	}
	defer rows.Close()
	// Scanned into once, as scanHistory's rows.
	var (
		k [2]int64
		l historyLink
	)
	for rows.Next() {
		if err := rows.Scan(&k[0], &k[1], &l.id, &l.from); err != nil {
			return fmt.Errorf("insert history: %w", err)
		}
		if from, ok := open[k]; ok && from.Equal(l.from) {
			l.from = l.from.UTC()
			opened[k] = l
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert history: %w", err)
	}
	return nil
}

// splitHistory makes the history follow a status change that came without
// a version change (a feed changed): each site whose open row of the
// analysed version has another status gets a row with the new status from
// at on — one insert — so that "what was outstanding on day D" holds for
// every day. A row that started at this very instant or later takes the
// new status in place. historyLinkSet then links the sites' rows to it.
func splitHistory(ctx context.Context, tx *sql.Tx, d *dialect, moduleID, versionID int64, status string, at time.Time, sites []int64) error {
	var c conds
	m, v, st, t := c.arg(moduleID), c.arg(versionID), c.arg(status), c.arg(at)
	// The open rows of the analysed version (a push may have changed it
	// since), found through site_modules.history_id.
	open := `id IN (SELECT history_id FROM site_modules WHERE module_id = ` + m + ` AND current_version_id = ` + v +
		` AND ` + c.in(d, "site_id", sites) + `) AND status <> ` + st
	if _, err := tx.ExecContext(ctx, `UPDATE site_module_changes SET status = `+st+` WHERE `+open+` AND valid_from >= `+t, c.args...); err != nil {
		return fmt.Errorf("restate history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO site_module_changes (site_id, module_id, version, datestamp, status, valid_from)
		SELECT site_id, module_id, version, datestamp, `+st+`, `+t+` FROM site_module_changes WHERE `+open, c.args...); err != nil {
		return fmt.Errorf("split history: %w", err)
	}
	return nil
}

// historyLinkSet returns the assignment of an UPDATE of site_modules that
// links each row to its project's newest history row after splitHistory
// at the time at (a placeholder): the row that starts at at when there is
// one (the split's), else the one it links. It is one probe of the key
// (site, start, project), whose aggregate has a row either way; a search
// for the project's newest row would walk the site's newer rows of other
// projects.
func historyLinkSet(at string) string {
	return `(history_id, history_from) = (SELECT COALESCE(max(h.id), site_modules.history_id), COALESCE(max(h.valid_from), site_modules.history_from)
		FROM site_module_changes h WHERE h.site_id = site_modules.site_id AND h.valid_from = ` + at + ` AND h.module_id = site_modules.module_id)`
}

// outdatedIntervals returns the query of the history intervals of the
// scope with a non-security update outstanding (not_current) that overlap
// [sc.From, sc.To) — site_id, module_id, valid_from, valid_to — and its
// arguments. It orders the scope's rows by site, project and start, and
// ends each where the next begins (one sort and one pass); one probe of
// the next row per interval instead cost twice as much over an
// organization.
func outdatedIntervals(sc fleetwatch.ReportScope) (string, []any) {
	c := scopeConds(sc)
	where := c.sql()
	return `SELECT site_id, module_id, valid_from, valid_to FROM (
			SELECT h.site_id, h.module_id, h.status, h.valid_from,
				lead(h.valid_from) OVER (PARTITION BY h.site_id, h.module_id ORDER BY h.valid_from) AS valid_to
			FROM site_module_changes h JOIN sites s ON s.id = h.site_id JOIN organizations o ON o.id = s.organization_id ` + where + `
		) h WHERE status = 'not_current' AND valid_from < ` + c.arg(dbTime(sc.To)) + ` AND (valid_to IS NULL OR valid_to >= ` + c.arg(dbTime(sc.From)) + `)`, c.args
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
			validTo any // computed: text on SQLite
		)
		if err := rows.Scan(&e.Name, &e.Type, &e.Source, &e.Version, &e.Datestamp, &e.Status, &e.ValidFrom, &validTo); err != nil {
			return nil, 0, fmt.Errorf("scan history: %w", err)
		}
		if e.ValidTo, err = anyTime(validTo); err != nil {
			return nil, 0, fmt.Errorf("scan history: %w", err)
		}
		e.ValidFrom = e.ValidFrom.UTC()
		out = append(out, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find history: %w", err)
	}
	return out, total, nil
}
