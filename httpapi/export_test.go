package httpapi_test

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch/httpapi"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// readCSV parses an export and fails the test when it is not one.
func readCSV(t *testing.T, r *response) [][]string {
	t.Helper()
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %s: %.300s", r.Status, r.Header.Get("Content-Type"), r.Raw)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Raw)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	return rows
}

// TestAPI_CSVExportIsComplete checks a CSV export holds every row that
// matches the filters, across many pages, in the list's order, whatever
// page and per_page say, and says how many rows it holds.
func TestAPI_CSVExportIsComplete(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		orgID := e.createOrg("Acme")
		other := e.createOrg("Other")
		for i := range 130 {
			name := fmt.Sprintf("Shop %03d", i)
			if i%2 == 1 {
				name = fmt.Sprintf("Blog %03d", i)
			}
			e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": fmt.Sprintf("https://s%03d.example", i), "name": name, "organization_id": orgID})
		}
		e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": "https://elsewhere.example", "name": "Shop elsewhere", "organization_id": other})

		// Every site of the fleet, sorted, though the request asks for page 2 of 10.
		r := e.do("GET", "/api/v1/sites?format=csv&sort=-url&page=2&per_page=10", e.admin, nil)
		rows := readCSV(t, r)
		if len(rows) != 132 {
			t.Fatalf("%d rows, want a header and 131", len(rows))
		}
		url := indexOf(rows[0], "url")
		if rows[1][url] != "https://s129.example" || rows[131][url] != "https://elsewhere.example" {
			t.Errorf("order: first %q, last %q", rows[1][url], rows[131][url])
		}
		for k, want := range map[string]string{"X-Total-Count": "131", "X-Export-Rows": "131", "X-Export-Limit": "100000", "X-Export-Truncated": ""} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}

		// The filters hold across pages: 65 shops of one organization.
		rows = readCSV(t, e.do("GET", "/api/v1/sites?q=shop&organization_id="+orgID+"&sort=name", "", nil, "Authorization", "Bearer "+e.admin, "Accept", "text/csv"))
		if len(rows) != 66 {
			t.Fatalf("%d rows, want a header and 65 shops", len(rows))
		}
		name := indexOf(rows[0], "name")
		for _, row := range rows[1:] {
			if !strings.HasPrefix(row[name], "Shop 0") && !strings.HasPrefix(row[name], "Shop 1") {
				t.Errorf("row %q does not match the filters", row[name])
			}
		}

		// JSON is still paged.
		j := e.must(200, "GET", "/api/v1/sites?per_page=10", e.admin, nil)
		if len(j.list()) != 10 || j.Header.Get("X-Export-Rows") != "" {
			t.Errorf("JSON: %d items, X-Export-Rows %q", len(j.list()), j.Header.Get("X-Export-Rows"))
		}
	})
}

// TestAPI_CSVExportLimit checks an export cut short by the limit says so.
func TestAPI_CSVExportLimit(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, store *sqlstore.Store) {
		e := newEnv(t, store, func(c *httpapi.Config) { c.CSVExportLimit = 60 })
		orgID := e.createOrg("Acme")
		for i := range 75 {
			e.must(201, "POST", "/api/v1/sites", e.admin, map[string]any{"url": fmt.Sprintf("https://s%03d.example", i), "name": fmt.Sprintf("S%03d", i), "organization_id": orgID})
		}
		r := e.do("GET", "/api/v1/sites?format=csv&sort=url", e.admin, nil)
		rows := readCSV(t, r)
		if len(rows) != 61 || rows[60][indexOf(rows[0], "url")] != "https://s059.example" {
			t.Fatalf("%d rows, want a header and the first 60", len(rows))
		}
		for k, want := range map[string]string{"X-Total-Count": "75", "X-Export-Rows": "60", "X-Export-Limit": "60", "X-Export-Truncated": "true"} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
	})
}

// TestAPI_CSVExportSiteModules checks a site's inventory exports whole (the
// route that reads the session with its first query, and caches JSON pages).
func TestAPI_CSVExportSiteModules(t *testing.T) {
	forEachIngestBackend(t, func(t *testing.T, e *ingestEnv) {
		orgID := e.createOrg("City")
		id, key := e.site(orgID, "boston")
		e.must(202, "POST", "/api/v1/ingest/inventory", key, fixtureInventory(t, "boston-gov"))
		e.drain()
		viewer := e.createUser("viewer@city.example", "viewer", orgID)
		j := e.must(200, "GET", "/api/v1/sites/"+id+"/modules?per_page=20", viewer, nil)
		total := int(j.Body["meta"].(map[string]any)["total"].(float64))
		if total <= 50 {
			t.Fatalf("the fixture has %d projects; the test needs more than a page", total)
		}
		r := e.do("GET", "/api/v1/sites/"+id+"/modules?format=csv&per_page=20", viewer, nil)
		rows := readCSV(t, r)
		if len(rows) != total+1 || r.Header.Get("X-Export-Rows") != fmt.Sprint(total) {
			t.Errorf("%d rows (X-Export-Rows %q), want a header and %d", len(rows), r.Header.Get("X-Export-Rows"), total)
		}
		seen := map[string]bool{}
		for _, row := range rows[1:] {
			if seen[row[indexOf(rows[0], "name")]] {
				t.Errorf("project %q twice", row[indexOf(rows[0], "name")])
			}
			seen[row[indexOf(rows[0], "name")]] = true
		}
	})
}
