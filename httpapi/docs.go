package httpapi

import (
	_ "embed"
	"net/http"
)

//go:embed docs.html
var docsHTML []byte

// serveDocs serves a self-contained page that renders the OpenAPI document:
// nothing is loaded from outside the server, so it works offline.
func serveDocs(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
	_, _ = w.Write(docsHTML)
}
