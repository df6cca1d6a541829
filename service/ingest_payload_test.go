package service

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// A rejected payload is decoded again by encoding/json, so its error names
// the field in JSON terms whichever decoder saw it first.
func TestValidateInventory_DecodeErrors(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, body, pointer, message string
	}{
		{"Truncated", `{"modules": [`, "", "The body is not valid JSON: it ends before the JSON value does (13 bytes received)."},
		{"NotAnObject", `[1,2]`, "", "The body is not a valid payload: json: cannot unmarshal array into Go value of type service.InventoryPayload."},
		{"VersionNumber", `{"modules": [{"name": "x", "version": 5}]}`, "/modules/version", "modules.version must be a string"},
		{"EnabledString", `{"modules": [{"name": "x", "version": "1.0.0", "enabled": "yes"}]}`, "/modules/enabled", "modules.enabled must be a boolean"},
		{"Trailing", `{"modules": []} {"modules": []}`, "", "The body holds more than one JSON value."},
		{"Empty", ``, "", "The body is empty; send a JSON object."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := ValidateInventory([]byte(tc.body), now)
			var e *fleetwatch.Error
			if !errors.As(err, &e) || e.Code != fleetwatch.EINVALID {
				t.Fatalf("err = %v, want EINVALID", err)
			}
			got := e.Message
			ptr := ""
			if len(e.Fields) > 0 {
				got, ptr = e.Fields[0].Message, e.Fields[0].Pointer
			}
			if ptr != tc.pointer || !strings.HasPrefix(got, tc.message) {
				t.Errorf("got %q at %q, want %q at %q", got, ptr, tc.message, tc.pointer)
			}
		})
	}
}

// A valid payload decodes the same with the fast decoder as with
// encoding/json: the datestamp's two spellings, enabled left out, unknown
// fields.
func TestValidateInventory_FastDecoderAgrees(t *testing.T) {
	body := `{"snapshot_id":"s-1","collected_at":"2026-11-25T09:00:00Z","extra":{"a":[1,2]},"drupal":{"core_version":"10.3.6"},
		"modules":[{"name":"token","version":"8.x-1.x-dev","datestamp":"1717000000"},{"name":"ctools","version":"4.1.0","datestamp":1717000001,"enabled":false}]}`
	snap, id, err := ParseInventory([]byte(body), 7, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if id != "s-1" || snap.SiteID != 7 || !snap.CollectedAt.Equal(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("snapshot %q site %d at %v", id, snap.SiteID, snap.CollectedAt)
	}
	got := map[string]fleetwatch.SnapshotProject{}
	for _, m := range snap.Projects {
		got[m.Name] = m
	}
	if m := got["token"]; m.Version != "8.x-1.x-dev" || m.Datestamp != 1717000000 {
		t.Errorf("token = %+v", m)
	}
	if m := got["ctools"]; m.Version != "4.1.0" || m.Datestamp != 1717000001 {
		t.Errorf("ctools = %+v", m)
	}
}

// The accept path's hash is the one the worker computes from the payload,
// and the collection time is the payload's, or none when it gives none.
func TestValidateInventory_HashAndCollectedAt(t *testing.T) {
	received := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	nine := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, body string
		collected  *time.Time
	}{
		{"Given", `{"snapshot_id":"s-1","collected_at":"2026-11-25T09:00:00Z","drupal":{"core_version":"10.3.6"},"modules":[{"name":"token","version":"8.x-1.14"}]}`,
			&nine},
		{"Arrival", `{"drupal":{"core_version":"10.3.6"},"modules":[{"name":"token","version":"8.x-1.14"},{"name":"views","project":"drupal","type":"core","version":"10.3.6"}]}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, hash, collected, err := ValidateInventory([]byte(tc.body), received)
			if err != nil {
				t.Fatal(err)
			}
			snap, id2, err := ParseInventory([]byte(tc.body), 7, received)
			if err != nil {
				t.Fatal(err)
			}
			if hash == "" || hash != snap.Hash || id != id2 {
				t.Errorf("ValidateInventory = %q, %q; ParseInventory = %q, %q", id, hash, id2, snap.Hash)
			}
			switch {
			case tc.collected == nil && collected != nil:
				t.Errorf("collected = %v, want none", *collected)
			case tc.collected != nil && (collected == nil || !collected.Equal(*tc.collected)):
				t.Errorf("collected = %v, want %v", collected, *tc.collected)
			}
		})
	}
}
