package main

import (
	"encoding/json"
	"net/http"
)

// dashboardHandler serves what lies outside the API. Until the React
// dashboard is built into the binary, it serves a page that points to the API.
func dashboardHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			body, _ := json.Marshal(map[string]any{
				"errors": []map[string]string{{"status": "404", "code": "not_found", "title": "Not Found", "detail": "No page here. The API lives under /api/v1."}},
				"meta":   map[string]string{"request_id": w.Header().Get("X-Request-ID")},
			})
			_, _ = w.Write(append(body, '\n'))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(placeholderPage))
	})
}

const placeholderPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Fleetwatch</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}</style></head>
<body><h1>Fleetwatch</h1>
<p>The API is running. The dashboard is not part of this build.</p>
<ul><li><a href="/api/v1/docs">API documentation</a></li><li><a href="/api/v1/openapi.json">OpenAPI document</a></li><li><a href="/readyz">Readiness</a></li></ul>
</body></html>`
