package sqlstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// conds builds the WHERE clause of a query with numbered placeholders.
type conds struct {
	where []string
	args  []any
}

// arg adds v to the arguments and returns its placeholder.
func (c *conds) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

// in is the condition that column is one of ids, with its arguments added:
// one array on PostgreSQL, which binds it faster than a thousand
// parameters and makes one statement of every length of list (one plan
// cached); an IN list on SQLite. Every list of ids in a condition is
// written by it.
func (c *conds) in(d *dialect, column string, ids []int64) string {
	if d == postgres {
		return column + ` = ANY(` + c.arg(ids) + `::bigint[])`
	}
	return column + ` IN (` + argList(c, ids) + `)`
}

// placeholders adds values to c and returns "($1, $2), ($3, $4)"-style
// groups of width placeholders each, for multi-row VALUES and row IN lists.
func placeholders(c *conds, width int, values ...any) string {
	var b strings.Builder
	for i := 0; i < len(values); i += width {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := 0; j < width; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.arg(values[i+j]))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// argList adds values to c and returns "$1, $2, …" for an IN list.
func argList[T any](c *conds, values []T) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = c.arg(v)
	}
	return strings.Join(parts, ", ")
}

// add adds a condition, built with placeholders from arg.
func (c *conds) add(cond string) { c.where = append(c.where, cond) }

// search adds a case-insensitive substring match of q on any of columns.
// LIKE metacharacters in q match themselves.
func (c *conds) search(d *dialect, q string, columns ...string) {
	if q == "" {
		return
	}
	p := c.arg("%" + escapeLike(q) + "%")
	parts := make([]string, len(columns))
	for i, col := range columns {
		parts[i] = fmt.Sprintf(`%s %s %s ESCAPE '\'`, col, d.ilike, p)
	}
	c.add("(" + strings.Join(parts, " OR ") + ")")
}

// sql returns the WHERE clause, or "" when there is no condition.
func (c *conds) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return "WHERE " + strings.Join(c.where, " AND ")
}

// page returns the LIMIT and OFFSET clause of o.
func (c *conds) page(o fleetwatch.ListOptions) string {
	return "LIMIT " + c.arg(o.Limit()) + " OFFSET " + c.arg(o.Offset())
}

// escapeLike escapes the LIKE metacharacters of s for ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// orderBy returns the ORDER BY clause for sort, mapping each field through
// columns, the whitelist of sortable fields. An empty sort sorts by def. The
// last key is always idColumn, so that pages are stable. A field not in
// columns is a programming error of the caller (services validate sort
// fields), reported as an internal error.
func orderBy(sort []fleetwatch.SortField, columns map[string]string, def []fleetwatch.SortField, idColumn string) (string, error) {
	if len(sort) == 0 {
		sort = def
	}
	keys := make([]string, 0, len(sort)+1)
	desc := false
	for _, f := range sort {
		col, ok := columns[f.Field]
		if !ok {
			return "", fmt.Errorf("sort: unknown field %q", f.Field)
		}
		desc = f.Desc
		// NULLS LAST on both databases: they disagree on the default.
		if desc {
			keys = append(keys, col+" DESC NULLS LAST")
		} else {
			keys = append(keys, col+" ASC NULLS LAST")
		}
	}
	if desc {
		keys = append(keys, idColumn+" DESC")
	} else {
		keys = append(keys, idColumn+" ASC")
	}
	return "ORDER BY " + strings.Join(keys, ", "), nil
}
