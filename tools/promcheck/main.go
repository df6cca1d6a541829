// Command promcheck checks Fleetwatch's Prometheus alert rules and Grafana
// dashboard with Prometheus's own parsers: every rule file parses and
// validates as promtool would (model/rulefmt), every PromQL expression of the
// rules and of the dashboard parses (promql/parser), every alert has a
// severity and a summary, and every metric they name is in the metrics
// table of the operator's guide. A separate module, so that Fleetwatch's
// go.mod does not carry Prometheus's dependencies.
//
//	promcheck --docs docs/operations.md --rules deploy/prometheus/alerts.yaml --grafana deploy/grafana/fleetwatch.json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "promcheck:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("promcheck", flag.ContinueOnError)
	docs := fs.String("docs", "docs/operations.md", "the guide whose metrics table names every metric")
	var rules, dashboards []string
	fs.Func("rules", "a Prometheus rule file (repeatable)", func(s string) error { rules = append(rules, s); return nil })
	fs.Func("grafana", "a Grafana dashboard JSON (repeatable)", func(s string) error { dashboards = append(dashboards, s); return nil })
	if err := fs.Parse(args); err != nil {
		return err
	}
	known, err := documentedMetrics(*docs)
	if err != nil {
		return err
	}
	var problems []string
	for _, f := range rules {
		n, errs := checkRules(f, known)
		for _, e := range errs {
			problems = append(problems, e.Error())
		}
		fmt.Fprintf(stdout, "%s: %d rules\n", f, n)
	}
	for _, f := range dashboards {
		n, errs := checkDashboard(f, known)
		for _, e := range errs {
			problems = append(problems, e.Error())
		}
		fmt.Fprintf(stdout, "%s: %d queries\n", f, n)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// tableRow is a row of the metrics table: | `name` | type | …
var tableRow = regexp.MustCompile("(?m)^\\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \\| (counter|gauge|histogram|summary) \\|")

// documentedMetrics returns the metric names of the guide's table, with
// the series names of histograms and summaries (_bucket, _sum, _count).
func documentedMetrics(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{
		// Series Prometheus makes itself for every target and alert.
		"up": true, "ALERTS": true, "ALERTS_FOR_STATE": true,
		"scrape_duration_seconds": true, "scrape_samples_scraped": true,
	}
	rows := tableRow.FindAllStringSubmatch(string(b), -1)
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no metrics table rows (| `name` | type | …)", path)
	}
	for _, r := range rows {
		known[r[1]] = true
		switch r[2] {
		case "histogram":
			known[r[1]+"_bucket"], known[r[1]+"_sum"], known[r[1]+"_count"] = true, true, true
		case "summary":
			known[r[1]+"_sum"], known[r[1]+"_count"] = true, true
		}
	}
	return known, nil
}

var promql = parser.NewParser(parser.Options{})

// metricsOf parses a PromQL expression and returns the metric names its
// selectors name.
func metricsOf(expr string) ([]string, error) {
	e, err := promql.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var names []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, m := range vs.LabelMatchers {
			if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
				name = m.Value
			}
		}
		if name == "" {
			names = append(names, "{"+vs.String()+"} (a selector without a metric name)")
		} else {
			names = append(names, name)
		}
		return nil
	})
	return names, nil
}

func unknownMetrics(expr string, known map[string]bool) ([]string, error) {
	names, err := metricsOf(expr)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, n := range names {
		if !known[n] && !slices.Contains(unknown, n) {
			unknown = append(unknown, n)
		}
	}
	return unknown, nil
}

// checkRules validates a rule file and its metrics; it returns the number
// of rules.
func checkRules(path string, known map[string]bool) (int, []error) {
	groups, errs := rulefmt.ParseFile(path, false, model.UTF8Validation, promql, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		return 0, errs
	}
	n := 0
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			n++
			name := r.Alert + r.Record
			if r.Alert != "" {
				if r.Labels["severity"] == "" {
					errs = append(errs, fmt.Errorf("%s: alert %s has no severity label", path, name))
				}
				if r.Annotations["summary"] == "" {
					errs = append(errs, fmt.Errorf("%s: alert %s has no summary annotation", path, name))
				}
			}
			unknown, err := unknownMetrics(r.Expr, known)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", path, name, err))
			}
			for _, u := range unknown {
				errs = append(errs, fmt.Errorf("%s: %s uses %s, which the metrics table does not list", path, name, u))
			}
		}
	}
	if n == 0 {
		errs = append(errs, fmt.Errorf("%s: no rules", path))
	}
	return n, errs
}

// grafanaVars are the variables Grafana replaces in a query before
// Prometheus sees it.
var grafanaVars = strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h", "${__rate_interval}", "5m")

// checkDashboard checks that a dashboard is JSON with panels, and every
// query ("expr") parses and names only documented metrics; it returns the
// number of queries.
func checkDashboard(path string, known map[string]bool) (int, []error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, []error{err}
	}
	var d struct {
		Title  string           `json:"title"`
		UID    string           `json:"uid"`
		Panels []map[string]any `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return 0, []error{fmt.Errorf("%s: %w", path, err)}
	}
	var errs []error
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		errs = append(errs, fmt.Errorf("%s: a dashboard needs a title, a uid and panels", path))
	}
	var all any
	_ = json.Unmarshal(b, &all)
	n := 0
	var walk func(v any, where string)
	walk = func(v any, where string) {
		switch v := v.(type) {
		case map[string]any:
			if t, ok := v["title"].(string); ok {
				where = t
			}
			for k, x := range v {
				if s, ok := x.(string); ok && k == "expr" {
					n++
					unknown, err := unknownMetrics(grafanaVars.Replace(s), known)
					if err != nil {
						errs = append(errs, fmt.Errorf("%s: panel %q: %q: %w", path, where, s, err))
					}
					for _, u := range unknown {
						errs = append(errs, fmt.Errorf("%s: panel %q uses %s, which the metrics table does not list", path, where, u))
					}
					continue
				}
				walk(x, where)
			}
		case []any:
			for _, x := range v {
				walk(x, where)
			}
		}
	}
	walk(all, "")
	if n == 0 {
		errs = append(errs, fmt.Errorf("%s: no queries", path))
	}
	return n, errs
}
