package webui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func TestHandler(t *testing.T) {
	built := fstest.MapFS{
		"index.html":           {Data: []byte("<html>app</html>")},
		"placeholder.html":     {Data: []byte("<html>build me</html>")},
		"assets/index-abc1.js": {Data: []byte("console.log(1)")},
		"favicon.svg":          {Data: []byte("<svg/>")},
	}
	tests := []struct {
		name, path string
		files      fstest.MapFS
		status     int
		body       string
		cache      string
	}{
		{"IndexAtRoot", "/", built, 200, "app", "no-cache"},
		{"SPAFallback", "/sites/123", built, 200, "app", "no-cache"},
		{"HashedAsset", "/assets/index-abc1.js", built, 200, "console.log", "immutable"},
		{"OtherFile", "/favicon.svg", built, 200, "<svg", "no-cache"},
		{"MissingAsset", "/assets/gone-123.js", built, 404, "", ""},
		{"Placeholder", "/", fstest.MapFS{"placeholder.html": {Data: []byte("<html>build me</html>")}}, 200, "build me", "no-cache"},
		{"PlaceholderFallback", "/security", fstest.MapFS{"placeholder.html": {Data: []byte("<html>build me</html>")}}, 200, "build me", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			NewHandler(tt.files).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("body %q lacks %q", rec.Body.String(), tt.body)
			}
			if !strings.Contains(rec.Header().Get("Cache-Control"), tt.cache) {
				t.Errorf("Cache-Control %q lacks %q", rec.Header().Get("Cache-Control"), tt.cache)
			}
		})
	}
}

func TestHandler_Embedded(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Fleetwatch") {
		t.Fatalf("embedded page: %d %q", rec.Code, rec.Body.String())
	}
}
