package platform

import (
	"fmt"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch/drupal"
)

// Support statuses of a Verdict.
const (
	// StatusSupported: active support (bug and security fixes).
	StatusSupported = "supported"
	// StatusSecurityOnly: active support ended, security fixes go on.
	StatusSecurityOnly = "security_only"
	// StatusEnded: security support ended; the platform is unsupported.
	StatusEnded = "ended"
	// StatusUnknown: the version's cycle is not in the data.
	StatusUnknown = "unknown"
)

// NoticeWindow is how long before the end of security support a platform
// is said to be reaching its end of life.
const NoticeWindow = 90 * 24 * time.Hour

// Verdict is a platform version judged at a date.
type Verdict struct {
	// Product is PHP or Drupal; Name its display name ("PHP").
	Product, Name string
	// Version is the version judged; Cycle the release cycle it is in.
	Version, Cycle string
	// Status is one of the Status* constants.
	Status string
	// ActiveEnds and SecurityEnds are the cycle's dates (zero when not
	// published).
	ActiveEnds, SecurityEnds time.Time
	// EndsSoon is set when security support ends within NoticeWindow.
	EndsSoon bool
	// Message says it in one line: "PHP 8.1 — security support ended
	// 2025-12-31".
	Message string
}

// Judge judges version of product at the date at.
func (d *Data) Judge(product, version string, at time.Time) Verdict {
	v := Verdict{Product: product, Name: names[product], Version: version, Status: StatusUnknown}
	if v.Name == "" {
		v.Name = product
	}
	c, ok := d.find(product, version)
	if !ok {
		v.Message = fmt.Sprintf("%s %s — not in the end-of-life data", v.Name, version)
		return v
	}
	v.Cycle, v.ActiveEnds, v.SecurityEnds = c.Name, c.ActiveEnds, c.SecurityEnds
	day := truncate(at)
	switch {
	case c.Ended || (!c.SecurityEnds.IsZero() && day.After(c.SecurityEnds)):
		v.Status = StatusEnded
	case !c.ActiveEnds.IsZero() && day.After(c.ActiveEnds):
		v.Status = StatusSecurityOnly
	default:
		v.Status = StatusSupported
	}
	v.EndsSoon = v.Status != StatusEnded && !c.SecurityEnds.IsZero() && c.SecurityEnds.Sub(day) <= NoticeWindow
	v.Message = v.message(day)
	return v
}

func (v Verdict) message(day time.Time) string {
	head := v.Name + " " + v.Cycle + " — "
	ends := v.SecurityEnds.Format(time.DateOnly)
	switch {
	case v.Status == StatusEnded && v.SecurityEnds.IsZero():
		return head + "security support ended"
	case v.Status == StatusEnded:
		return head + "security support ended " + ends
	case v.EndsSoon:
		switch days := int(v.SecurityEnds.Sub(day).Hours() / 24); days {
		case 0:
			return head + "security support ends today, " + ends
		case 1:
			return head + "security support ends " + ends + ", tomorrow"
		default:
			return head + fmt.Sprintf("security support ends %s, in %d days", ends, days)
		}
	case v.Status == StatusSecurityOnly && !v.SecurityEnds.IsZero():
		return head + "security fixes only, until " + ends
	case v.Status == StatusSecurityOnly:
		return head + "security fixes only"
	case v.SecurityEnds.IsZero():
		return head + "supported"
	}
	return head + "supported; security support until " + ends
}

// JudgeDrupalCore judges a Drupal core version. When feed (drupal.org's
// release history of core) lists supported branches, it decides whether
// the version's branch is still supported, since drupal.org changes
// support faster than any copy of the dates; the dates come from the data.
func (d *Data) JudgeDrupalCore(version string, feed *drupal.Project, at time.Time) Verdict {
	v := d.Judge(Drupal, version, at)
	if feed == nil || len(feed.SupportedBranches) == 0 {
		return v
	}
	parsed, err := drupal.Parse(version)
	if err != nil {
		return v
	}
	supported := false
	for _, b := range feed.SupportedBranches {
		if parsed.InBranch(b) {
			supported = true
		}
	}
	cycle := v.Cycle
	if cycle == "" {
		cycle = version
	}
	switch {
	case !supported && v.Status != StatusEnded:
		v.Status, v.EndsSoon = StatusEnded, false
		v.Message = fmt.Sprintf("%s %s — no longer a supported branch on drupal.org (supported: %s)", v.Name, cycle, branchList(feed.SupportedBranches))
	case supported && v.Status == StatusEnded:
		v.Status = StatusSupported
		v.Message = fmt.Sprintf("%s %s — still a supported branch on drupal.org", v.Name, cycle)
	case supported && v.Status == StatusUnknown:
		v.Status = StatusSupported
		v.Message = fmt.Sprintf("%s %s — a supported branch on drupal.org", v.Name, cycle)
	}
	return v
}

func branchList(branches []string) string {
	out := make([]string, len(branches))
	for i, b := range branches {
		out[i] = strings.TrimSuffix(b, ".") + ".x"
	}
	return strings.Join(out, ", ")
}

// find returns the cycle of a version: the longest cycle name that is the
// version or a dotted prefix of it ("8.1" for "8.1.27", "7" for "7.101").
func (d *Data) find(product, version string) (Cycle, bool) {
	version = strings.TrimPrefix(strings.TrimSpace(version), "v")
	// "8.1.27-1+ubuntu22.04" and "8.3.0RC1": only the numbers count.
	end := 0
	for end < len(version) && (version[end] >= '0' && version[end] <= '9' || version[end] == '.') {
		end++
	}
	version = strings.TrimSuffix(version[:end], ".")
	var best Cycle
	found := false
	for _, c := range d.products[product] {
		if (version == c.Name || strings.HasPrefix(version, c.Name+".")) && (!found || len(c.Name) > len(best.Name)) {
			best, found = c, true
		}
	}
	return best, found
}

func truncate(t time.Time) time.Time {
	y, m, dd := t.UTC().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC)
}
