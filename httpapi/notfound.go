package httpapi

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"
)

// Unmatched requests. The dashboard serves GET and HEAD of every path
// outside /api (its client-side routes); everything else (a path under
// /api no route matches, another method, a file the dashboard does not
// have) answers in the API's error shape.

// underAPI reports whether a path is the API's: the dashboard never
// answers it, not even for a version of the API this server lacks.
func underAPI(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }

// serveDashboard hands a GET or HEAD outside the API to the dashboard.
func (s *Server) serveDashboard(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, r, newError(r.Context(), http.StatusMethodNotAllowed, "method_not_allowed", "Method "+r.Method+" is not allowed on "+r.URL.Path+"."), s.logger)
		return
	}
	s.Dashboard.ServeHTTP(&dashboardWriter{ResponseWriter: w, r: r, s: s}, r)
}

// routeMethods are the methods a 405 may list as allowed.
var routeMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// methodNotAllowed answers a route asked with a method it does not take,
// listing those it takes.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	for _, m := range routeMethods {
		if s.router.Match(chi.NewRouteContext(), m, r.URL.Path) {
			allowed = append(allowed, m)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
	}
	writeError(w, r, newError(r.Context(), http.StatusMethodNotAllowed, "method_not_allowed", "Method "+r.Method+" is not allowed on "+r.URL.Path+"."), s.logger)
}

// dashboardWriter turns an error the dashboard answers (a missing file)
// into one in the API's error shape.
type dashboardWriter struct {
	http.ResponseWriter
	r      *http.Request
	s      *Server
	failed bool
}

func (d *dashboardWriter) WriteHeader(code int) {
	if d.failed {
		return
	}
	if code < 400 {
		d.ResponseWriter.WriteHeader(code)
		return
	}
	d.failed = true
	d.Header().Del("Content-Length")
	detail := "No file " + d.r.URL.Path + "."
	if code != http.StatusNotFound {
		detail = "The dashboard could not answer " + d.r.URL.Path + "."
	}
	writeError(d.ResponseWriter, d.r, newError(d.r.Context(), code, codeForStatus(code), detail), d.s.logger)
}

func (d *dashboardWriter) Write(b []byte) (int, error) {
	if d.failed {
		return len(b), nil // the dashboard's own error text
	}
	return d.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (d *dashboardWriter) Unwrap() http.ResponseWriter { return d.ResponseWriter }
