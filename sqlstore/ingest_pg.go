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

// nullTime is a nullable time column value of the VALUES rows (nil or a
// time.Time).
func nullTime(v any) *time.Time {
	if t, ok := v.(time.Time); ok {
		return &t
	}
	return nil
}

// nullString is a nullable text column value of the VALUES rows.
func nullString(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

// insertHistoryPG inserts history rows (7 values each, as historyPlan
// holds them) and notes the open ones in opened.
func insertHistoryPG(ctx context.Context, tx *sql.Tx, rows []any, opened historyLinks) error {
	n := len(rows) / 7
	var (
		site, module, datestamp = make([]int64, n), make([]int64, n), make([]int64, n)
		version, status         = make([]string, n), make([]string, n)
		from                    = make([]time.Time, n)
		to                      = make([]*time.Time, n)
	)
	for i := range n {
		r := rows[7*i : 7*i+7]
		site[i], module[i], version[i], datestamp[i], status[i] = r[0].(int64), r[1].(int64), r[2].(string), r[3].(int64), r[4].(string)
		from[i], to[i] = r[5].(time.Time), nullTime(r[6])
	}
	return insertOpened(ctx, tx, opened, `INSERT INTO site_module_history (site_id, module_id, version, datestamp, status, valid_from, valid_to)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::timestamptz[], $7::timestamptz[])`,
		site, module, version, datestamp, status, from, to)
}

// closeIntervalsPG ends each interval of ids at the time beside it.
func closeIntervalsPG(ctx context.Context, tx *sql.Tx, ids []int64, at []time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE site_module_history h SET valid_to = v.valid_to
		FROM unnest($1::bigint[], $2::timestamptz[]) AS v (id, valid_to) WHERE h.id = v.id`, ids, at); err != nil {
		return fmt.Errorf("close history: %w", err)
	}
	return nil
}

// upsertSiteModulesPG upserts site_modules rows (siteModuleCols values
// each, as siteModuleRows builds them).
func upsertSiteModulesPG(ctx context.Context, tx *sql.Tx, rows []any) error {
	n := len(rows) / siteModuleCols
	var (
		site, module, version, datestamp = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		status, latest, recommended      = make([]string, n), make([]string, n), make([]string, n)
		sec, also, reasons               = make([]string, n), make([]string, n), make([]string, n)
		update, security                 = make([]bool, n), make([]bool, n)
		severity                         = make([]*string, n)
		analyzed                         = make([]*time.Time, n)
		created, updated                 = make([]time.Time, n), make([]time.Time, n)
		history                          = make([]*int64, n)
		historyFrom                      = make([]*time.Time, n)
	)
	for i := range n {
		r := rows[siteModuleCols*i : siteModuleCols*(i+1)]
		site[i], module[i], version[i], datestamp[i] = r[0].(int64), r[1].(int64), r[2].(int64), r[3].(int64)
		status[i], update[i], security[i], latest[i], recommended[i] = r[4].(string), r[5].(bool), r[6].(bool), r[7].(string), r[8].(string)
		sec[i], severity[i], also[i], reasons[i], analyzed[i] = r[9].(string), nullString(r[10]), r[11].(string), r[12].(string), nullTime(r[13])
		created[i], updated[i] = r[14].(time.Time), r[15].(time.Time)
		if id, ok := r[16].(int64); ok {
			history[i] = &id
		}
		historyFrom[i] = nullTime(r[17])
	}
	if _, err := tx.ExecContext(ctx, upsertSiteModules+`
		SELECT site_id, module_id, version_id, datestamp, status, update_available, security_update, latest, recommended,
			sec::jsonb, severity, also::jsonb, reasons::jsonb, analyzed_at, created_at, updated_at, history_id, history_from
		FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::boolean[], $7::boolean[],
			$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[],
			$15::timestamptz[], $16::timestamptz[], $17::bigint[], $18::timestamptz[])
			AS v (site_id, module_id, version_id, datestamp, status, update_available, security_update, latest, recommended,
				sec, severity, also, reasons, analyzed_at, created_at, updated_at, history_id, history_from)
		`+upsertSiteModulesConflict,
		site, module, version, datestamp, status, update, security, latest, recommended, sec, severity, also, reasons,
		analyzed, created, updated, history, historyFrom); err != nil {
		return fmt.Errorf("upsert site modules: %w", err)
	}
	return nil
}
