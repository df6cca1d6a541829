package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/go-chi/chi/v5"
)

// CSV: every answer whose data is an object or a list of objects can be had
// as CSV, with `Accept: text/csv` or `?format=csv`. The columns are the JSON
// field names of the items; nested values are written as JSON. Errors stay
// JSON (ErrorResponse.ContentType), since a spreadsheet cannot show them.
// A list answers every matching row, written as it is read (see export.go).

const csvType = "text/csv"

var csvFormat = huma.Format{
	Marshal: marshalCSV,
	Unmarshal: func([]byte, any) error {
		return fmt.Errorf("%w: request bodies are JSON", huma.ErrUnknownContentType)
	},
}

// ContentType implements huma.ContentTypeFilter: errors are always JSON.
func (e *ErrorResponse) ContentType(string) string { return "application/json" }

// withCSVFormat lets a `format=csv` query parameter stand for `Accept: text/csv`
// (links and browsers cannot set headers) and names the download after the
// route that answered it (see csvFilename).
func withCSVFormat(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wantCSV := r.URL.Query().Get("format") == "csv"
		if wantCSV {
			r.Header.Set("Accept", csvType)
		}
		if ri, ok := r.Context().Value(requestKey{}).(*requestInfo); ok && strings.Contains(r.Header.Get("Accept"), "csv") {
			ri.csv = true
		}
		if wantCSV || strings.HasPrefix(r.Header.Get("Accept"), csvType) {
			w = &csvNamer{ResponseWriter: w, r: r}
		}
		next.ServeHTTP(w, r)
	})
}

// csvNamer sets Content-Disposition on a CSV answer as its header is
// written, when the router has matched the route.
type csvNamer struct {
	http.ResponseWriter
	r       *http.Request
	written bool
}

func (c *csvNamer) WriteHeader(code int) {
	if !c.written {
		c.written = true
		if strings.HasPrefix(c.Header().Get("Content-Type"), csvType) {
			c.Header().Set("Content-Disposition", `attachment; filename="`+csvFilename(chi.RouteContext(c.r.Context()).RoutePattern())+`"`)
			if ri := requestInfoFrom(c.r.Context()); ri.export != nil {
				ri.export.setHeaders(c.Header().Set)
			}
		}
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *csvNamer) Write(b []byte) (int, error) {
	if !c.written {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (c *csvNamer) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// csvFilename names a download after the matched route pattern, never the
// request's path (which the caller chooses): the pattern's fixed segments,
// without its parameters, "/api/v1/sites/{id}/modules" giving
// "fleetwatch-sites-modules.csv". Only letters, digits, "-" and "_" remain.
func csvFilename(pattern string) string {
	var parts []string
	for _, seg := range strings.Split(strings.TrimPrefix(pattern, Prefix), "/") {
		if seg == "" || strings.ContainsAny(seg, "{}*") {
			continue
		}
		parts = append(parts, strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
				return r
			}
			return -1
		}, seg))
	}
	if len(parts) == 0 {
		return "fleetwatch.csv"
	}
	return "fleetwatch-" + strings.Join(parts, "-") + ".csv"
}

func marshalCSV(w io.Writer, v any) error {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return errors.New("csv: answer is not an object")
	}
	data := rv.FieldByName("Data")
	if !data.IsValid() {
		return errors.New("csv: answer has no data")
	}
	data = reflect.Indirect(data)
	var rows []reflect.Value
	if data.Kind() == reflect.Slice {
		for i := range data.Len() {
			rows = append(rows, reflect.Indirect(data.Index(i)))
		}
	} else {
		rows = []reflect.Value{data}
	}
	elem := data.Type()
	if elem.Kind() == reflect.Slice {
		elem = elem.Elem()
	}
	for elem.Kind() == reflect.Pointer {
		elem = elem.Elem()
	}
	if elem.Kind() != reflect.Struct {
		return errors.New("csv: data is not a list of objects")
	}
	cols := csvColumns(elem)
	cw := csv.NewWriter(w)
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	record := make([]string, len(cols))
	write := func(rows []reflect.Value) error {
		for _, row := range rows {
			for i, c := range cols {
				record[i] = csvCell(row.FieldByIndex(c.index))
			}
			if err := cw.Write(record); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	}
	if err := write(rows); err != nil {
		return err
	}
	if p, ok := v.(csvPager); ok {
		for {
			batch, err := p.nextCSVRows()
			if err != nil || batch == nil {
				return err
			}
			more := reflect.ValueOf(batch)
			rows = rows[:0]
			for i := range more.Len() {
				rows = append(rows, reflect.Indirect(more.Index(i)))
			}
			if err := write(rows); err != nil {
				return err
			}
		}
	}
	return nil
}

// csvPager is a list answer with more rows to write (an export).
type csvPager interface{ nextCSVRows() (any, error) }

func (e ListEnvelope[T]) nextCSVRows() (any, error) {
	if e.more == nil {
		return nil, nil
	}
	return e.more()
}

type csvColumn struct {
	name  string
	index []int
}

// csvColumns lists the exported, JSON-visible fields of t, embedded
// structs flattened as encoding/json does.
func csvColumns(t reflect.Type) []csvColumn {
	var cols []csvColumn
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			for _, c := range csvColumns(ft) {
				cols = append(cols, csvColumn{name: c.name, index: append([]int{i}, c.index...)})
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		cols = append(cols, csvColumn{name: name, index: f.Index})
	}
	return cols
}

// csvCell writes one value the way a spreadsheet reads it best.
func csvCell(v reflect.Value) string {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if t, ok := v.Interface().(time.Time); ok {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	switch v.Kind() {
	case reflect.String:
		return neutralize(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'f', -1, 64)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			parts := make([]string, v.Len())
			for i := range parts {
				parts[i] = v.Index(i).String()
			}
			return neutralize(strings.Join(parts, "; "))
		}
	}
	b, _ := json.Marshal(v.Interface())
	return neutralize(string(b))
}

// neutralize keeps a cell from being run as a formula by a spreadsheet
// (CSV injection): site names and versions come from outside.
func neutralize(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
