package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
)

// A verdict's reasons (its explanation in words) are stored once per
// distinct text, in verdict_reasons under their fleetwatch.ReasonsDigest,
// and site_modules links them by reasons_id (NULL: no reasons). A
// library's reasons run to kilobytes and every site at one version shares
// them: a feed or advisory change that re-judges 10,000 sites then writes
// an id to each row, not the text.
//
// The rows of verdict_reasons are never changed or deleted, so an id once
// read stays valid; site_modules.reasons_id has no foreign key for that
// reason, and because its check would lock the shared row for every
// write of a row that links it.

// linkReasons sets the reasonsID of each verdict that has reasons, adding
// to verdict_reasons the texts it lacks.
func linkReasons(ctx context.Context, tx *sql.Tx, d *dialect, vs []*storedVerdict) error {
	texts := map[string][]string{}
	for _, v := range vs {
		if v.reasonsDigest != "" {
			texts[v.reasonsDigest] = v.reasons
		}
	}
	if len(texts) == 0 {
		return nil
	}
	ids := make(map[string]int64, len(texts))
	read := func(digests []string) error {
		for chunk := range chunks(digests, d.inBatch()) {
			var c conds
			rows, err := tx.QueryContext(ctx, `SELECT id, digest FROM verdict_reasons WHERE digest IN (`+argList(&c, chunk)+`)`, c.args...)
			if err != nil {
				return fmt.Errorf("read verdict reasons: %w", err)
			}
			for rows.Next() {
				var (
					id int64
					dg string
				)
				if err := rows.Scan(&id, &dg); err != nil {
					rows.Close()
					return fmt.Errorf("read verdict reasons: %w", err)
				}
				ids[dg] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read verdict reasons: %w", err)
			}
		}
		return nil
	}
	digests := slices.Sorted(maps.Keys(texts))
	if err := read(digests); err != nil {
		return err
	}
	missing := slices.DeleteFunc(digests, func(dg string) bool { _, ok := ids[dg]; return ok })
	if len(missing) > 0 {
		// Another transaction may add the same text meanwhile (PostgreSQL):
		// the insert then waits for it and adds nothing, and the second
		// read finds its row.
		for chunk := range chunks(missing, d.rowBatch(2)) {
			var c conds
			values := make([]any, 0, 2*len(chunk))
			for _, dg := range chunk {
				values = append(values, dg, jsonList(texts[dg]))
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO verdict_reasons (digest, reasons) VALUES `+placeholders(&c, 2, values...)+
				` ON CONFLICT (digest) DO NOTHING`, c.args...); err != nil {
				return fmt.Errorf("add verdict reasons: %w", err)
			}
		}
		if err := read(missing); err != nil {
			return err
		}
	}
	for _, v := range vs {
		if v.reasonsDigest == "" {
			continue
		}
		id, ok := ids[v.reasonsDigest]
		if !ok {
			return fmt.Errorf("verdict reasons %s: not stored", v.reasonsDigest)
		}
		v.reasonsID = id
	}
	return nil
}
