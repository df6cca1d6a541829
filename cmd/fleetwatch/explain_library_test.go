package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestExplainLibrary runs `fleetwatch explain --composer-package` on the
// guzzle advisories of both databases (testdata/library-advisories, a
// subset of the upstream mirrors).
func TestExplainLibrary(t *testing.T) {
	explainJSON := func(t *testing.T, version string) libraryExplanation {
		t.Helper()
		var out, errOut bytes.Buffer
		args := []string{"explain", "--composer-package", "guzzlehttp/guzzle", "--version", version, "--advisories", "file://testdata/library-advisories", "--format", "json"}
		if err := run(context.Background(), args, &out, &errOut); err != nil {
			t.Fatalf("explain: %v (%s)", err, errOut.String())
		}
		var ex libraryExplanation
		if err := json.Unmarshal(out.Bytes(), &ex); err != nil {
			t.Fatal(err)
		}
		return ex
	}
	t.Run("Affected", func(t *testing.T) {
		ex := explainJSON(t, "7.4.2")
		if ex.Known != 8 || len(ex.Findings) != 7 || ex.UpgradeTo != "7.12.1" || ex.Normalized != "7.4.2.0" {
			t.Fatalf("explanation = %+v", ex)
		}
		first := ex.Findings[0]
		if first.ID != "GHSA-25mq-v84q-4j7r" || first.Fixed != "7.4.5" || first.Severity != "critical" || first.CVSSScore == nil || *first.CVSSScore != 7.7 || len(first.Sources) != 2 {
			t.Fatalf("first finding = %+v", first)
		}
	})
	t.Run("OldBranch", func(t *testing.T) {
		ex := explainJSON(t, "6.5.5")
		fixes := map[string]string{}
		for _, f := range ex.Findings {
			fixes[f.ID] = f.Fixed
		}
		if fixes["GHSA-cwmx-hcrq-mhc3"] != "6.5.6" || fixes["GHSA-q559-8m2m-g699"] != "6.5.8" || fixes["GHSA-wpwq-4j6v-78m3"] != "7.12.1" {
			t.Fatalf("fixes = %v", fixes)
		}
	})
	t.Run("Fixed", func(t *testing.T) {
		ex := explainJSON(t, "7.12.1")
		if len(ex.Findings) != 0 || ex.UpgradeTo != "" || !strings.Contains(strings.Join(ex.Reasons, " "), "in none of their affected ranges") {
			t.Fatalf("explanation = %+v", ex)
		}
	})
	t.Run("Text", func(t *testing.T) {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), []string{"explain", "--composer-package=guzzlehttp/guzzle", "--version", "v7.4.2", "--advisories", "testdata/library-advisories"}, &out, &errOut); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"advisories:         8 for the package, 7 apply", "GHSA-f2wf-25xc-69c9 critical (CVSS 7.5)", "upgrade_to:         7.12.1"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output lacks %q:\n%s", want, out.String())
			}
		}
	})
	t.Run("BadArguments", func(t *testing.T) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"explain", "--composer-package", "guzzle", "--version", "x.y", "--format", "xml"}, &out, &errOut)
		if err == nil {
			t.Fatal("explain accepted bad arguments")
		}
		for _, want := range []string{"--composer-package must be", `--version "x.y"`, "--advisories is required", "--format must be"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	})
}
