package httpapi

import (
	_ "embed"
	"net/http"
)

var (
	//go:embed docs.html
	docsHTML []byte
	//go:embed docs.js
	docsJS []byte
	//go:embed docs.css
	docsCSS []byte
)

// serveDocs serves a self-contained page that renders the OpenAPI document:
// nothing is loaded from outside the server, so it works offline. Its
// script and styles are files of their own (docs.js, docs.css), as the
// Content-Security-Policy allows no inline script.
func serveDocs(w http.ResponseWriter, _ *http.Request) {
	serveDocsFile(w, "text/html; charset=utf-8", docsHTML)
}

func serveDocsJS(w http.ResponseWriter, _ *http.Request) {
	serveDocsFile(w, "text/javascript; charset=utf-8", docsJS)
}

func serveDocsCSS(w http.ResponseWriter, _ *http.Request) {
	serveDocsFile(w, "text/css; charset=utf-8", docsCSS)
}

func serveDocsFile(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(body)
}
