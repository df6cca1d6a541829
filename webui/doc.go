// Package webui serves the React dashboard built from web/ (Vite writes it
// into webui/dist, which is embedded here). A binary built without Node
// embeds only dist/placeholder.html, a page saying how to build the dashboard.
package webui
