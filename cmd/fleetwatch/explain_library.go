package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/fleetwatch/fleetwatch/composerver"
	"github.com/fleetwatch/fleetwatch/packagist"
)

// libraryExplanation is what explain prints for a PHP library: which
// advisories of the set apply to the version, and why.
type libraryExplanation struct {
	Package    string           `json:"package"`
	Installed  string           `json:"installed_version"`
	Normalized string           `json:"normalized_version"`
	Known      int              `json:"advisories_for_package"`
	Findings   []libraryFinding `json:"findings"`
	UpgradeTo  string           `json:"upgrade_to"`
	Skipped    []string         `json:"skipped_files,omitempty"`
	Reasons    []string         `json:"reasons"`
}

type libraryFinding struct {
	ID            string   `json:"id"`
	CVEs          []string `json:"cves"`
	GHSAs         []string `json:"ghsas"`
	Title         string   `json:"title"`
	URL           string   `json:"url"`
	Severity      string   `json:"severity"`
	CVSS          string   `json:"cvss,omitempty"`
	CVSSScore     *float64 `json:"cvss_score,omitempty"`
	Sources       []string `json:"sources"`
	Affected      []string `json:"affected_ranges"`
	Fixed         string   `json:"fixed_version"`
	FixedOnBranch bool     `json:"fixed_on_branch"`
}

// hasFlag reports whether args set the named flag, in any of the forms the
// flag package accepts.
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		a = strings.TrimLeft(a, "-")
		if a == name || strings.HasPrefix(a, name+"=") {
			return true
		}
	}
	return false
}

func runExplainLibrary(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fleetwatch explain --composer-package", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pkg := fs.String("composer-package", "", "the library's composer name, such as guzzlehttp/guzzle (required)")
	version := fs.String("version", "", "the installed version as composer.lock gives it (required)")
	dir := fs.String("advisories", "", "a folder (or file:// URL of one) of GitHub Advisory Database OSV files and FriendsOfPHP YAML files (required)")
	format := fs.String("format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var problems []string
	if !strings.Contains(*pkg, "/") {
		problems = append(problems, "--composer-package must be a composer name such as guzzlehttp/guzzle")
	}
	if *version == "" {
		problems = append(problems, "--version is required")
	} else if _, err := composerver.Normalize(*version); err != nil {
		problems = append(problems, fmt.Sprintf("--version %q is not a version Composer reads", *version))
	}
	if *dir == "" {
		problems = append(problems, "--advisories is required")
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
	root := strings.TrimPrefix(*dir, "file://")
	if st, err := os.Stat(root); err != nil || !st.IsDir() {
		return fmt.Errorf("--advisories %s: not a folder", *dir)
	}
	set, skipped, err := packagist.ReadFS(os.DirFS(root))
	if err != nil {
		return err
	}
	ex, err := explainLibrary(set, strings.ToLower(*pkg), *version)
	if err != nil {
		return err
	}
	for _, s := range skipped {
		ex.Skipped = append(ex.Skipped, s.Error())
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ex)
	}
	printLibraryExplanation(stdout, ex)
	return nil
}

func explainLibrary(set *packagist.Set, pkg, version string) (libraryExplanation, error) {
	v, err := composerver.ParseVersion(version)
	if err != nil {
		return libraryExplanation{}, err
	}
	ex := libraryExplanation{Package: pkg, Installed: version, Normalized: v.Normalized, Findings: []libraryFinding{}}
	for _, a := range set.Advisories() {
		for _, r := range a.Ranges {
			if r.Package == pkg {
				ex.Known++
				break
			}
		}
	}
	findings, err := set.Check(pkg, version)
	if err != nil {
		return libraryExplanation{}, err
	}
	var upgrade composerver.Version
	for _, f := range findings {
		a := f.Advisory
		lf := libraryFinding{ID: a.ID, CVEs: nonNil(a.CVEs), GHSAs: nonNil(a.GHSAs), Title: a.Title, URL: a.URL,
			Severity: a.Severity, CVSS: a.CVSS, Sources: a.Sources, Fixed: f.Fixed, FixedOnBranch: f.FixedOnBranch}
		if a.CVSSScore >= 0 {
			s := a.CVSSScore
			lf.CVSSScore = &s
		}
		for _, r := range f.Matched {
			where := r.Source
			if r.Branch != "" {
				where += " branch " + r.Branch
			}
			lf.Affected = append(lf.Affected, r.Affected+" ("+where+")")
		}
		ex.Findings = append(ex.Findings, lf)
		if f.Fixed != "" {
			if fv := composerver.MustParseVersion(f.Fixed); ex.UpgradeTo == "" || composerver.Compare(fv, upgrade) > 0 {
				ex.UpgradeTo, upgrade = f.Fixed, fv
			}
		}
	}
	ex.Reasons = libraryReasons(ex, v)
	return ex, nil
}

func libraryReasons(ex libraryExplanation, v composerver.Version) []string {
	var out []string
	switch {
	case ex.Known == 0:
		out = append(out, fmt.Sprintf("No advisory of the set concerns %s.", ex.Package))
	case v.IsBranch():
		out = append(out, fmt.Sprintf("%s is a branch checkout (%s): Composer's ranges never contain a named branch, so no advisory can be judged for it.", ex.Installed, v.Normalized))
	case len(ex.Findings) == 0:
		out = append(out, fmt.Sprintf("%d advisories concern %s; %s (%s) is in none of their affected ranges.", ex.Known, ex.Package, ex.Installed, v.Normalized))
	}
	for _, f := range ex.Findings {
		s := fmt.Sprintf("%s: %s is in %s", f.ID, ex.Installed, strings.Join(f.Affected, " and "))
		switch {
		case f.Fixed == "":
			s += "; no fixed version is published."
		case !f.FixedOnBranch:
			s += fmt.Sprintf("; its branch gets no fix, the next fixed version is %s.", f.Fixed)
		default:
			s += fmt.Sprintf("; fixed in %s.", f.Fixed)
		}
		if f.Severity == "" {
			s += " No source rates it (FriendsOfPHP publishes no severity)."
		}
		out = append(out, s)
	}
	if ex.UpgradeTo != "" {
		unfixed := slices.ContainsFunc(ex.Findings, func(f libraryFinding) bool { return f.Fixed == "" })
		s := fmt.Sprintf("Upgrading to %s or later fixes every advisory with a fix.", ex.UpgradeTo)
		if unfixed {
			s = fmt.Sprintf("Upgrading to %s or later fixes the advisories with a fix; the others have none.", ex.UpgradeTo)
		}
		out = append(out, s)
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func printLibraryExplanation(w io.Writer, ex libraryExplanation) {
	fmt.Fprintf(w, "package:            %s\n", ex.Package)
	fmt.Fprintf(w, "installed_version:  %s (normalized %s)\n", ex.Installed, ex.Normalized)
	fmt.Fprintf(w, "advisories:         %d for the package, %d apply\n", ex.Known, len(ex.Findings))
	for _, f := range ex.Findings {
		sev := f.Severity
		if sev == "" {
			sev = "unrated"
		}
		if f.CVSSScore != nil {
			sev += fmt.Sprintf(" (CVSS %.1f)", *f.CVSSScore)
		}
		fmt.Fprintf(w, "  - %s %s: %s\n", f.ID, sev, f.Title)
		if ids := append(append([]string{}, f.CVEs...), f.GHSAs...); len(ids) > 0 {
			fmt.Fprintf(w, "    ids:      %s\n", strings.Join(ids, ", "))
		}
		fmt.Fprintf(w, "    affected: %s\n", strings.Join(f.Affected, "; "))
		fixed := f.Fixed
		if fixed == "" {
			fixed = "(none)"
		} else if !f.FixedOnBranch {
			fixed += " (not on the installed branch)"
		}
		fmt.Fprintf(w, "    fixed:    %s\n", fixed)
		if f.URL != "" {
			fmt.Fprintf(w, "    url:      %s\n", f.URL)
		}
	}
	up := ex.UpgradeTo
	if up == "" {
		up = "(none)"
	}
	fmt.Fprintf(w, "upgrade_to:         %s\n", up)
	fmt.Fprintln(w, "reasons:")
	for _, r := range ex.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
	for _, s := range ex.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", s)
	}
}
