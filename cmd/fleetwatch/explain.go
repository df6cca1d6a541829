package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/drupalorg"
)

// maxExplainFeed bounds the feed explain reads, like the server's client.
const maxExplainFeed = drupalorg.DefaultMaxFeedBytes

// explanation is what explain prints: the fields of drupal.Result a user
// needs to see why Fleetwatch says what it says.
type explanation struct {
	Project            string   `json:"project"`
	Installed          string   `json:"installed_version"`
	Status             string   `json:"status"`
	LatestVersion      string   `json:"latest_version"`
	RecommendedVersion string   `json:"recommended_version"`
	SecurityUpdates    []string `json:"security_updates"`
	FixedBy            []string `json:"fixed_by"`
	AlsoAvailable      []string `json:"also_available"`
	UpdateAvailable    bool     `json:"update_available"`
	SecurityUpdate     bool     `json:"security_update"`
	ProjectStatus      string   `json:"project_status"`
	Incompatible       []string `json:"incompatible"`
	Reasons            []string `json:"reasons"`
}

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if hasFlag(args, "composer-package") {
		return runExplainLibrary(args, stdout, stderr)
	}
	fs := flag.NewFlagSet("fleetwatch explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	feed := fs.String("feed", "", "release-history feed: a file, file:// or http(s) URL (required)")
	project := fs.String("project", "", "the project's machine name (required)")
	version := fs.String("version", "", "the installed version, drupal.org or composer form (required)")
	core := fs.String("core-version", "", "the site's Drupal core version, for core_compatibility")
	datestamp := fs.Int64("datestamp", 0, "build time of a dev checkout, unix seconds")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var problems []string
	if *feed == "" {
		problems = append(problems, "--feed is required")
	}
	if !drupalorg.ValidProject(*project) {
		problems = append(problems, "--project must be a project machine name such as ctools")
	}
	if *version == "" {
		problems = append(problems, "--version is required")
	}
	if *format != "text" && *format != "json" {
		problems = append(problems, "--format must be text or json")
	}
	if fs.NArg() > 0 {
		problems = append(problems, fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	body, err := readFeed(ctx, *feed)
	if err != nil {
		return err
	}
	in := drupal.Input{Installed: *version, Datestamp: *datestamp, CoreVersion: *core, Now: time.Now()}
	p, err := drupal.ParseReleaseHistory(bytes.NewReader(body))
	switch {
	case errors.Is(err, drupal.ErrProjectNotFound):
		// Evaluated without a feed: unknown, as the server says.
	case err != nil:
		return fmt.Errorf("read feed: %w", err)
	case p.ShortName != *project:
		return fmt.Errorf("the feed is the release history of %q, not %q", p.ShortName, *project)
	default:
		in.Project = p
	}
	res := drupal.Evaluate(in)
	ex := explain(*project, res)
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	printExplanation(stdout, ex)
	return nil
}

func explain(project string, res drupal.Result) explanation {
	versions := func(rs []drupal.Release) []string {
		out := []string{}
		for _, r := range rs {
			out = append(out, r.Version)
		}
		return out
	}
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return explanation{
		Project: project, Installed: res.Installed, Status: string(res.Status),
		LatestVersion: res.LatestVersion, RecommendedVersion: res.RecommendedVersion,
		SecurityUpdates: versions(res.SecurityUpdates), FixedBy: versions(res.FixedBy),
		AlsoAvailable: nonNil(res.AlsoAvailable), UpdateAvailable: res.UpdateAvailable,
		SecurityUpdate: res.SecurityUpdate, ProjectStatus: res.ProjectStatus,
		Incompatible: nonNil(res.Incompatible), Reasons: nonNil(res.Reasons),
	}
}

func printExplanation(w io.Writer, ex explanation) {
	none := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	list := func(s []string) string {
		if len(s) == 0 {
			return "(none)"
		}
		return strings.Join(s, ", ")
	}
	fmt.Fprintf(w, "project:             %s\n", ex.Project)
	fmt.Fprintf(w, "installed_version:   %s\n", ex.Installed)
	fmt.Fprintf(w, "status:              %s\n", ex.Status)
	fmt.Fprintf(w, "latest_version:      %s\n", none(ex.LatestVersion))
	fmt.Fprintf(w, "recommended_version: %s\n", none(ex.RecommendedVersion))
	fmt.Fprintf(w, "security_updates:    %s\n", list(ex.SecurityUpdates))
	fmt.Fprintf(w, "also_available:      %s\n", list(ex.AlsoAvailable))
	fmt.Fprintf(w, "update_available:    %t\n", ex.UpdateAvailable)
	fmt.Fprintf(w, "security_update:     %t\n", ex.SecurityUpdate)
	if len(ex.Incompatible) > 0 {
		fmt.Fprintf(w, "incompatible:        %s\n", list(ex.Incompatible))
	}
	fmt.Fprintln(w, "reasons:")
	for _, r := range ex.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
}

// readFeed reads a feed from a file, a file:// URL or an http(s) URL, at
// most maxExplainFeed bytes.
func readFeed(ctx context.Context, src string) ([]byte, error) {
	var r io.Reader
	switch {
	case strings.HasPrefix(src, "http://"), strings.HasPrefix(src, "https://"):
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, fmt.Errorf("read feed: %w", err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, fmt.Errorf("read feed: %w", err)
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("read feed: %s answered HTTP %d", src, res.StatusCode)
		}
		r = res.Body
	default:
		f, err := os.Open(strings.TrimPrefix(src, "file://"))
		if err != nil {
			return nil, fmt.Errorf("read feed: %w", err)
		}
		defer f.Close()
		r = f
	}
	body, err := io.ReadAll(io.LimitReader(r, maxExplainFeed+1))
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	if len(body) > maxExplainFeed {
		return nil, fmt.Errorf("read feed: over the %d byte limit", maxExplainFeed)
	}
	return body, nil
}
