package httpapi_test

import (
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestAPI_IngestOutageDocumented: every push operation documents its 503
// and 507 answers with their Retry-After, so that agents written against
// the OpenAPI document know to push again.
func TestAPI_IngestOutageDocumented(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, sqlstoretest.SQLite))
	doc := e.must(200, "GET", "/api/v1/openapi.json", "", nil).Body
	paths := doc["paths"].(map[string]any)
	for _, path := range []string{"/api/v1/ingest/inventory", "/api/v1/ingest/composer-lock", "/api/v1/ingest/patch-runs"} {
		responses := paths[path].(map[string]any)["post"].(map[string]any)["responses"].(map[string]any)
		for _, status := range []string{"503", "507"} {
			r, _ := responses[status].(map[string]any)
			headers, _ := r["headers"].(map[string]any)
			if headers["Retry-After"] == nil {
				t.Errorf("%s: the %s answer is not documented with Retry-After: %v", path, status, r)
			}
		}
	}
}
