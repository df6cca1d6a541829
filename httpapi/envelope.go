package httpapi

import (
	"context"
	"net/url"
	"strconv"

	"github.com/fleetwatch/fleetwatch"
)

// Meta describes a list page.
type Meta struct {
	Total   int `json:"total" doc:"Number of items across all pages"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// Links are the navigation links of a list page. Absent links are omitted.
type Links struct {
	Self  string `json:"self"`
	First string `json:"first,omitempty"`
	Prev  string `json:"prev,omitempty"`
	Next  string `json:"next,omitempty"`
	Last  string `json:"last,omitempty"`
}

// Envelope is the body of every single-item success answer.
type Envelope[T any] struct {
	Data T `json:"data"`
}

// ListEnvelope is the body of every list answer.
type ListEnvelope[T any] struct {
	Data  []T   `json:"data"`
	Meta  Meta  `json:"meta"`
	Links Links `json:"links"`

	raw []byte // this envelope's JSON encoding, when it was cached
	// more reads the next rows of a CSV export, nil at the end (see export).
	more func() (any, error)
}

// One wraps a single item.
type One[T any] struct {
	Body Envelope[T]
}

// Many wraps a list page.
type Many[T any] struct {
	Body ListEnvelope[T]
}

// ListParams are the paging, sort and search parameters of every list.
type ListParams struct {
	Page    int    `query:"page" default:"1" minimum:"1" maximum:"1000000" doc:"Page number, from 1"`
	PerPage int    `query:"per_page" default:"50" minimum:"1" maximum:"500" doc:"Items per page"`
	Sort    string `query:"sort" maxLength:"200" doc:"Comma-separated fields, '-' for descending: name,-created_at"`
	Q       string `query:"q" maxLength:"200" doc:"Case-insensitive text search"`
}

func (p ListParams) page() int {
	if p.Page < 1 {
		return 1
	}
	return p.Page
}

// listPage builds the envelope of one page of items, with its meta and
// links. The links use the public URL so that they work behind a proxy.
func listPage[T any](s *Server, ctx context.Context, items []T, total int, p ListParams) *Many[T] {
	if items == nil {
		items = []T{}
	}
	per := p.PerPage
	if per < 1 {
		per = fleetwatch.DefaultPerPage
	}
	last := (total + per - 1) / per
	if last < 1 {
		last = 1
	}
	page := p.page()
	ri := requestInfoFrom(ctx)
	link := func(n int) string {
		q := url.Values{}
		for k, v := range ri.url.Query() {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(per))
		return s.publicURL + ri.url.Path + "?" + q.Encode()
	}
	out := &Many[T]{Body: ListEnvelope[T]{
		Data:  items,
		Meta:  Meta{Total: total, Page: page, PerPage: per},
		Links: Links{Self: link(page), First: link(1), Last: link(last)},
	}}
	if page > 1 {
		out.Body.Links.Prev = link(min(page-1, last))
	}
	if page < last {
		out.Body.Links.Next = link(page + 1)
	}
	return out
}

func one[T any](v T) *One[T] { return &One[T]{Body: Envelope[T]{Data: v}} }
