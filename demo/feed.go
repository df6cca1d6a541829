package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch/drupal"
)

// Release is one release of a demo project.
type Release struct {
	Version  string
	Patch    int
	Date     time.Time
	Security bool // fixes a security advisory
	Severity string
}

// Project is a demo project with its release history on one branch.
type Project struct {
	Name     string
	Type     string // core, module, theme, profile
	prefix   string // the version before the patch number: "8.x-1.", "2.0.", "10.3."
	Releases []Release
}

// planProject gives a project a release history around the version a real
// site runs: a few releases before it (where the fleet starts a year ago) and
// a few after, some of them security releases. It returns nil for versions
// that have no numbered branch (dev and pre-release checkouts), which the
// demo keeps as they are.
func planProject(name, typ, version string, start, end time.Time, rng *rand.Rand) *Project {
	v, err := drupal.Parse(version)
	if err != nil || v.IsDev || v.IsPrerelease || v.Patch < 0 {
		return nil
	}
	prefix := strings.TrimSuffix(v.Raw, fmt.Sprint(v.Patch))
	if !strings.HasSuffix(prefix, ".") {
		return nil
	}
	p := &Project{Name: name, Type: typ, prefix: prefix}
	first := max(0, v.Patch-3)
	// Releases up to the real version are spread over the two years before
	// the end; a few newer ones follow in the last months.
	newer := 1 + rng.IntN(4)
	last := v.Patch + newer
	span := end.Sub(start)
	for patch := first; patch <= last; patch++ {
		var at time.Time
		if patch <= v.Patch {
			frac := float64(patch-first+1) / float64(v.Patch-first+2)
			at = start.Add(-span / 2).Add(time.Duration(frac * float64(span+span/3)))
		} else {
			frac := float64(patch-v.Patch) / float64(newer+1)
			at = end.Add(-time.Duration(frac * float64(span/3)))
		}
		at = at.Add(time.Duration(rng.IntN(72)) * time.Hour).Truncate(time.Hour)
		if at.After(end.Add(-time.Hour)) {
			at = end.Add(-time.Duration(1+rng.IntN(48)) * time.Hour)
		}
		r := Release{Version: prefix + fmt.Sprint(patch), Patch: patch, Date: at}
		if patch > first && rng.Float64() < 0.22 {
			r.Security = true
			r.Severity = severities[rng.IntN(len(severities))]
		}
		p.Releases = append(p.Releases, r)
	}
	sort.Slice(p.Releases, func(i, j int) bool { return p.Releases[i].Patch < p.Releases[j].Patch })
	for i := 1; i < len(p.Releases); i++ { // dates follow version order
		if !p.Releases[i].Date.After(p.Releases[i-1].Date) {
			p.Releases[i].Date = p.Releases[i-1].Date.Add(24 * time.Hour)
		}
	}
	return p
}

var severities = []string{"highly_critical", "critical", "critical", "moderately_critical", "moderately_critical", "less_critical", "not_critical"}

// Published returns the releases out by t.
func (p *Project) Published(t time.Time) []Release {
	var out []Release
	for _, r := range p.Releases {
		if !r.Date.After(t) {
			out = append(out, r)
		}
	}
	return out
}

// Feed renders the project's release history as drupal.org would have
// served it at t: only the releases out by then, newest first, and every
// release older than a security release marked Insecure.
func (p *Project) Feed(t time.Time) []byte {
	pub := p.Published(t)
	lastSecurity := -1
	for _, r := range pub {
		if r.Security {
			lastSecurity = r.Patch
		}
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<project xmlns:dc="http://purl.org/dc/elements/1.1/">` + "\n")
	fmt.Fprintf(&b, " <title>%s</title>\n <short_name>%s</short_name>\n <dc:creator>Fleetwatch demo</dc:creator>\n", xmlEscape(p.Name), xmlEscape(p.Name))
	fmt.Fprintf(&b, " <supported_branches>%s</supported_branches>\n <project_status>published</project_status>\n", xmlEscape(p.prefix))
	fmt.Fprintf(&b, " <link>https://www.drupal.org/project/%s</link>\n <releases>\n", xmlEscape(p.Name))
	for i := len(pub) - 1; i >= 0; i-- {
		r := pub[i]
		fmt.Fprintf(&b, "  <release>\n   <name>%s %s</name>\n   <version>%s</version>\n   <status>published</status>\n", xmlEscape(p.Name), r.Version, r.Version)
		fmt.Fprintf(&b, "   <release_link>https://www.drupal.org/project/%s/releases/%s</release_link>\n", xmlEscape(p.Name), r.Version)
		fmt.Fprintf(&b, "   <date>%d</date>\n   <terms>\n", r.Date.Unix())
		if r.Security {
			b.WriteString("    <term><name>Release type</name><value>Security update</value></term>\n")
		}
		if r.Patch < lastSecurity {
			b.WriteString("    <term><name>Release type</name><value>Insecure</value></term>\n")
		}
		b.WriteString("    <term><name>Release type</name><value>Bug fixes</value></term>\n   </terms>\n")
		b.WriteString("   <security covered=\"1\">Covered by Drupal's security advisory policy</security>\n  </release>\n")
	}
	b.WriteString(" </releases>\n</project>\n")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
