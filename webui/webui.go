package webui

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

const (
	indexFile       = "index.html"
	placeholderFile = "placeholder.html"
)

// Handler serves the embedded dashboard: files as they are, with long cache
// headers for Vite's content-hashed assets, and index.html for every other
// path that is not under /api (client-side routes). Without a built
// dashboard it serves the placeholder page.
func Handler() http.Handler {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("webui: " + err.Error()) // the embed pattern guarantees dist exists
	}
	return NewHandler(sub)
}

// NewHandler serves the dashboard from files (tests pass an fstest.MapFS).
func NewHandler(files fs.FS) http.Handler {
	index := indexFile
	if _, err := fs.Stat(files, indexFile); err != nil {
		index = placeholderFile
	}
	fileServer := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if name == "" || name == indexFile || name == placeholderFile {
			serveIndex(w, r, files, index)
			return
		}
		if info, err := fs.Stat(files, name); err == nil && !info.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				// Vite names assets by content hash: they never change.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			fileServer.ServeHTTP(w, r)
			return
		}
		// A missing hashed asset is a real 404 (an old page asking for a
		// file of a previous build), not a client-side route.
		if strings.HasPrefix(name, "assets/") || path.Ext(name) != "" && !strings.HasSuffix(name, ".html") {
			http.NotFound(w, r)
			return
		}
		serveIndex(w, r, files, index)
	})
}

func serveIndex(w http.ResponseWriter, r *http.Request, files fs.FS, name string) {
	body, err := fs.ReadFile(files, name)
	if err != nil {
		http.Error(w, "dashboard missing", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// The page names the current hashed assets: always revalidate it.
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(body)
}
