package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const docs = "| metric | type | what | normal |\n|---|---|---|---|\n| `fleetwatch_ready` | gauge | x | 1 |\n| `fleetwatch_ingest_processing_seconds` | histogram | x | y |\n"

func write(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPromcheck_FindsProblems: a good file passes; a rule with an unknown
// metric, bad PromQL or no severity, and a dashboard query naming an
// unknown metric, each fail with a message naming it.
func TestPromcheck_FindsProblems(t *testing.T) {
	d := write(t, "ops.md", docs)
	good := `groups:
  - name: g
    rules:
      - alert: A
        expr: fleetwatch_ready == 0 and on() up == 1
        labels: {severity: critical}
        annotations: {summary: "s"}
      - alert: B
        expr: histogram_quantile(0.99, sum by (le) (rate(fleetwatch_ingest_processing_seconds_bucket[5m]))) > 1
        labels: {severity: warning}
        annotations: {summary: "s"}
`
	dash := `{"title":"t","uid":"u","panels":[{"title":"p","targets":[{"expr":"rate(fleetwatch_ingest_processing_seconds_count[$__rate_interval])"}]}]}`
	if err := run([]string{"--docs", d, "--rules", write(t, "good.yaml", good), "--grafana", write(t, "d.json", dash)}, io.Discard); err != nil {
		t.Fatalf("good files: %v", err)
	}
	for name, c := range map[string]struct{ flag, file, want string }{
		"UnknownMetric": {"--rules", strings.Replace(good, "fleetwatch_ready", "fleetwatch_readyy", 1), "fleetwatch_readyy, which the metrics table does not list"},
		"BadPromQL":     {"--rules", strings.Replace(good, "== 0 and", "== and", 1), "parse error"},
		"NoSeverity":    {"--rules", strings.Replace(good, "{severity: critical}", "{team: ops}", 1), "alert A has no severity label"},
		"UnknownField":  {"--rules", strings.Replace(good, "labels: {severity: warning}", "labelz: {severity: warning}", 1), "labelz"},
		"DashMetric":    {"--grafana", strings.Replace(dash, "_count", "_total", 1), "panel \"p\" uses fleetwatch_ingest_processing_seconds_total"},
		"DashJSON":      {"--grafana", dash[:20], "unexpected end of JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			err := run([]string{"--docs", d, c.flag, write(t, "f", c.file)}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %q", err, c.want)
			}
		})
	}
}
