package service

import (
	"slices"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// MaxQueryLength bounds the text search parameter q.
const MaxQueryLength = 200

// ParseSort parses a `sort=name,-created_at` parameter against the sortable
// fields of a list. An empty parameter gives def.
func ParseSort(param string, allowed []string, def ...fleetwatch.SortField) ([]fleetwatch.SortField, error) {
	if strings.TrimSpace(param) == "" {
		return def, nil
	}
	var v fleetwatch.Validation
	var out []fleetwatch.SortField
	seen := map[string]bool{}
	for _, part := range strings.Split(param, ",") {
		part = strings.TrimSpace(part)
		f := fleetwatch.SortField{Field: part}
		if strings.HasPrefix(part, "-") {
			f = fleetwatch.SortField{Field: part[1:], Desc: true}
		}
		if !slices.Contains(allowed, f.Field) {
			v.AddParam("sort", "cannot sort by %q; sortable fields: %s", truncate(f.Field, 40), strings.Join(allowed, ", "))
			continue
		}
		if seen[f.Field] {
			v.AddParam("sort", "field %q is named twice", f.Field)
			continue
		}
		seen[f.Field] = true
		out = append(out, f)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// ListOptions validates paging, sort and search parameters into options.
func ListOptions(page, perPage int, sort, q string, allowed []string, def ...fleetwatch.SortField) (fleetwatch.ListOptions, error) {
	var v fleetwatch.Validation
	if page < 1 {
		v.AddParam("page", "page must be 1 or more")
	}
	if perPage < 1 || perPage > fleetwatch.MaxPerPage {
		v.AddParam("per_page", "per_page must be between 1 and %d", fleetwatch.MaxPerPage)
	}
	if len(q) > MaxQueryLength {
		v.AddParam("q", "q must be at most %d characters", MaxQueryLength)
	}
	fields, err := ParseSort(sort, allowed, def...)
	if err != nil {
		v.Fields = append(v.Fields, err.(*fleetwatch.Error).Fields...)
	}
	if err := v.Err(); err != nil {
		return fleetwatch.ListOptions{}, err
	}
	return fleetwatch.ListOptions{Page: page, PerPage: perPage, Sort: fields, Q: strings.TrimSpace(q)}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
