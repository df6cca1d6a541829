package agent

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCoreStatus: drush core:status output is read when it is a JSON
// object and ignored otherwise; what is read prints back to output that
// reads the same.
func FuzzParseCoreStatus(f *testing.F) {
	b, err := os.ReadFile(filepath.Join("testdata", "drush", "core-status.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"drupal-version":10.3,"php-version":null}`))
	f.Add([]byte(`[Warning] Drush could not bootstrap`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d := parseCoreStatus(b)
		var obj map[string]json.RawMessage
		if json.Unmarshal(b, &obj) != nil && d != (Drupal{}) {
			t.Fatalf("read %+v from output that is not a JSON object", d)
		}
		out, err := json.Marshal(map[string]string{"drupal-version": d.CoreVersion, "php-version": d.PHPVersion, "install-profile": d.Profile})
		if err != nil {
			t.Fatal(err)
		}
		if again := parseCoreStatus(out); again != d {
			t.Fatalf("%+v printed and read again is %+v", d, again)
		}
	})
}

// TestParseCoreStatus reads the fixture's versions and profile.
func TestParseCoreStatus(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "drush", "core-status.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := parseCoreStatus(b), (Drupal{CoreVersion: "10.3.6", PHPVersion: "8.3.1", Profile: "standard"}); got != want {
		t.Errorf("parseCoreStatus = %+v, want %+v", got, want)
	}
}
