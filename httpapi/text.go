package httpapi

import (
	"net/http"
	"unicode/utf8"
)

// withValidText refuses a request whose path or query is not valid UTF-8
// (after percent-decoding) before any route sees it: every name, slug and
// search term reaches the services as text, and PostgreSQL refuses invalid
// bytes with an error that would otherwise surface as a 500.
func (s *Server) withValidText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !utf8.ValidString(r.URL.Path) || !validQuery(r) {
			writeError(w, r, newError(r.Context(), http.StatusBadRequest, "invalid_encoding",
				"The request's path or query is not valid UTF-8 text."), s.logger)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func validQuery(r *http.Request) bool {
	for k, vs := range r.URL.Query() {
		if !utf8.ValidString(k) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return false
			}
		}
	}
	return true
}
