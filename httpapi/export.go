package httpapi

import (
	"context"
	"strconv"

	"github.com/fleetwatch/fleetwatch"
)

// A list asked for as CSV is an export: it answers every row that matches
// the request's filters and sort, not one page. The rows are read a page of
// fleetwatch.MaxPerPage at a time through the same handler and written as
// they come (see marshalCSV), up to the server's export limit; page and
// per_page are ignored. The answer says how many rows it holds and whether
// the limit cut it short:
//
//	X-Total-Count       rows that match the filters
//	X-Export-Rows       rows in this file
//	X-Export-Limit      the most rows one export holds
//	X-Export-Truncated  "true" when X-Total-Count is above the limit
const (
	headerTotalCount      = "X-Total-Count"
	headerExportRows      = "X-Export-Rows"
	headerExportLimit     = "X-Export-Limit"
	headerExportTruncated = "X-Export-Truncated"
)

// DefaultCSVExportLimit is the most rows one CSV export holds unless
// Config.CSVExportLimit says otherwise.
const DefaultCSVExportLimit = 100_000

// exportInfo is what an export tells its headers (see csvNamer).
type exportInfo struct {
	total, rows, limit int
}

func (x *exportInfo) setHeaders(set func(key, value string)) {
	set(headerTotalCount, strconv.Itoa(x.total))
	set(headerExportRows, strconv.Itoa(x.rows))
	set(headerExportLimit, strconv.Itoa(x.limit))
	if x.total > x.limit {
		set(headerExportTruncated, "true")
	}
}

// listInput is an operation input with paging parameters.
type listInput interface{ listParams() *ListParams }

func (p *ListParams) listParams() *ListParams { return p }

// exportable is a list answer that can carry the rest of an export.
type exportable interface {
	exportTotal() int
	exportRest(rows int, fetch func(page int) (any, error))
}

func (m *Many[T]) exportTotal() int { return m.Body.Meta.Total }

// exportRest keeps the first rows of the list on this page and arranges for
// the pages after it, fetched as the CSV is written, to fill it up to rows.
func (m *Many[T]) exportRest(rows int, fetch func(page int) (any, error)) {
	if len(m.Body.Data) > rows {
		m.Body.Data = m.Body.Data[:rows]
	}
	written, page := len(m.Body.Data), 1
	m.Body.more = func() (any, error) {
		if written >= rows || len(m.Body.Data) == 0 {
			return nil, nil
		}
		page++
		next, err := fetch(page)
		if err != nil {
			return nil, err
		}
		items := next.(*Many[T]).Body.Data
		items = items[:min(len(items), rows-written)]
		if len(items) == 0 {
			written = rows // the list shrank while it was read
			return nil, nil
		}
		written += len(items)
		return items, nil
	}
}

// csvLimit is the most rows one export holds.
func (s *Server) csvLimit() int {
	if s.CSVExportLimit > 0 {
		return s.CSVExportLimit
	}
	return DefaultCSVExportLimit
}

// export answers a list operation asked for as CSV with every matching
// row (see the top of this file). ok is false when the operation is not a
// list or the answer is not CSV; the caller then runs it as usual.
func export[I, O any](s *Server, ctx context.Context, in *I, h func(context.Context, *I) (*O, error)) (out *O, ok bool, err error) {
	ri := requestInfoFrom(ctx)
	li, isList := any(in).(listInput)
	if !ri.csv || !isList {
		return nil, false, nil
	}
	if _, isExportable := any((*O)(nil)).(exportable); !isExportable {
		return nil, false, nil
	}
	p := li.listParams()
	p.Page, p.PerPage = 1, fleetwatch.MaxPerPage
	out, err = h(ctx, in)
	if err != nil {
		return nil, true, err
	}
	x := any(out).(exportable)
	limit := s.csvLimit()
	info := &exportInfo{total: x.exportTotal(), limit: limit}
	info.rows = min(info.total, limit)
	ri.export = info
	x.exportRest(info.rows, func(page int) (any, error) {
		p.Page = page
		next, err := h(ctx, in)
		if err != nil {
			s.logger.ErrorContext(ctx, "csv export: read a page", "page", page, "err", err)
			return nil, err
		}
		return next, nil
	})
	return out, true, nil
}
