package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The ingest writes of many rows on PostgreSQL pass each column as one
// array and unnest them: one prepared statement whatever the row count,
// instead of a multi-row VALUES of thousands of parameters that PostgreSQL
// parses and plans anew for each chunk (the largest cost of a changed
// inventory). SQLite keeps the VALUES lists (it has no arrays).

// siteModulesSet and siteModulesValues are the columns a change writes
// to a site_modules row it updates, and their values from
// writeSiteModulesPG's arrays (v) and time ($17).
const (
	siteModulesSet = `current_version_id, datestamp, status, update_available, security_update, latest_version,
		recommended_version, security_updates, severity, also_available, reasons_id, analyzed_at, updated_at, history_id, history_from`
	siteModulesValues = `v.version_id, v.datestamp, v.status, v.update_available, v.security_update, v.latest,
		v.recommended, v.sec::jsonb, NULLIF(v.severity, ''), v.also::jsonb, NULLIF(v.reasons_id, 0),
		CASE WHEN v.analyzed THEN $17::timestamptz END, $17::timestamptz, NULLIF(v.history_id, 0),
		CASE WHEN v.history_id <> 0 THEN v.history_from END`
	siteModulesArrays = `unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::boolean[], $7::boolean[],
			$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::bigint[], $14::boolean[], $15::bigint[], $16::timestamptz[])
		AS v (site_id, module_id, version_id, datestamp, status, update_available, security_update, latest, recommended,
			sec, severity, also, reasons_id, analyzed, history_id, history_from)`
)

// writeSiteModulesPG writes rows: the rows of projects the site had are
// updated, by one UPDATE, and the others upserted. An UPDATE is lighter
// than the upsert's conflict path, which locks each row (a WAL record of
// its own) before it updates it. Should the UPDATE miss a row (no plan
// does), all the rows are upserted.
func writeSiteModulesPG(ctx context.Context, tx *sql.Tx, rows []siteModuleRow, t time.Time) error {
	update := make([]siteModuleRow, 0, len(rows))
	var upsert []siteModuleRow
	for _, r := range rows {
		if r.existed {
			update = append(update, r)
		} else {
			upsert = append(upsert, r)
		}
	}
	if len(update) > 0 {
		res, err := tx.ExecContext(ctx, `UPDATE site_modules sm SET (`+siteModulesSet+`) = (`+siteModulesValues+`)
			FROM `+siteModulesArrays+` WHERE sm.site_id = v.site_id AND sm.module_id = v.module_id`, siteModuleArrays(update, t)...)
		if err != nil {
			return fmt.Errorf("update site modules: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("update site modules: %w", err)
		} else if n != int64(len(update)) {
			upsert = rows
		}
	}
	if len(upsert) == 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO site_modules (site_id, module_id, created_at, `+siteModulesSet+`)
		SELECT v.site_id, v.module_id, $17::timestamptz, `+siteModulesValues+` FROM `+siteModulesArrays+`
		`+upsertSiteModulesConflict, siteModuleArrays(upsert, t)...); err != nil {
		return fmt.Errorf("upsert site modules: %w", err)
	}
	return nil
}

// siteModuleArrays returns the arguments of siteModulesArrays and
// siteModulesValues for rows written at t: a typed slice per column.
func siteModuleArrays(rows []siteModuleRow, t time.Time) []any {
	n := len(rows)
	var (
		site, module, version, datestamp, history = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		status, latest, recommended               = make([]string, n), make([]string, n), make([]string, n)
		sec, severity, also                       = make([]string, n), make([]string, n), make([]string, n)
		reasons                                   = make([]int64, n)
		update, security, analyzed                = make([]bool, n), make([]bool, n), make([]bool, n)
		historyFrom                               = make([]time.Time, n)
	)
	for i := range rows {
		r, v := &rows[i], &rows[i].verdict
		site[i], module[i], version[i], datestamp[i], history[i], historyFrom[i] = r.siteID, r.moduleID, r.versionID, r.datestamp, r.historyID, r.historyFrom
		status[i], update[i], security[i], latest[i], recommended[i] = v.status, v.update, v.security, v.latest, v.recommended
		sec[i], severity[i], also[i], reasons[i], analyzed[i] = v.securityUpdates, v.severity, v.also, v.reasonsID, r.analyzed
	}
	return []any{site, module, version, datestamp, status, update, security, latest, recommended, sec, severity, also, reasons,
		analyzed, history, historyFrom, t}
}
