package fleetwatch

// Pagination limits of every list.
const (
	DefaultPerPage = 50
	MaxPerPage     = 500
)

// SortField is one key of a `sort=name,-created_at` parameter.
type SortField struct {
	Field string
	Desc  bool
}

// ListOptions are the paging, sorting and text search of a list request.
// Services validate them; stores trust them.
type ListOptions struct {
	Page    int // 1-based
	PerPage int
	Sort    []SortField
	Q       string // case-insensitive substring search over the list's text fields
}

// Offset returns the number of rows to skip.
func (o ListOptions) Offset() int {
	if o.Page < 1 {
		return 0
	}
	return (o.Page - 1) * o.PerPage
}

// Limit returns the page size.
func (o ListOptions) Limit() int {
	if o.PerPage < 1 {
		return DefaultPerPage
	}
	return o.PerPage
}

// PageOf returns the items of list on the page o asks for: the page of a
// list computed whole (and cached) rather than paged by the database.
func PageOf[T any](list []T, o ListOptions) []T {
	from := min(o.Offset(), len(list))
	return list[from:min(from+o.Limit(), len(list))]
}
