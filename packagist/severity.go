package packagist

import (
	"fmt"
	"math"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// SeverityForCVSS maps a CVSS base score to Drupal's five risk levels by
// CVSS's own qualitative bands: Critical (9.0-10.0) is highly critical,
// High (7.0-8.9) critical, Medium (4.0-6.9) moderately critical, Low
// (0.1-3.9) less critical and None (0.0) not critical. Drupal's bands cut
// its 25-point scale at 20, 15, 10 and 5; rank for rank, the two scales
// name the same urgency, which is what SLA deadlines hang on.
func SeverityForCVSS(score float64) string {
	switch {
	case score >= 9.0:
		return fleetwatch.SeverityHighlyCritical
	case score >= 7.0:
		return fleetwatch.SeverityCritical
	case score >= 4.0:
		return fleetwatch.SeverityModeratelyCritical
	case score > 0:
		return fleetwatch.SeverityLessCritical
	}
	return fleetwatch.SeverityNotCritical
}

// SeverityForGitHub maps GitHub's own level (database_specific.severity),
// used when an advisory has no CVSS v3 vector, to the same levels as the
// CVSS band GitHub derives it from; "" when unknown.
func SeverityForGitHub(level string) string {
	switch strings.ToUpper(strings.TrimSpace(level)) {
	case "CRITICAL":
		return fleetwatch.SeverityHighlyCritical
	case "HIGH":
		return fleetwatch.SeverityCritical
	case "MODERATE", "MEDIUM":
		return fleetwatch.SeverityModeratelyCritical
	case "LOW":
		return fleetwatch.SeverityLessCritical
	}
	return ""
}

var cvss3Weights = map[string]map[string]float64{
	"AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
	"AC": {"L": 0.77, "H": 0.44},
	"PR": {"N": 0.85, "L": 0.62, "H": 0.27},
	"UI": {"N": 0.85, "R": 0.62},
	"S":  {"U": 0, "C": 0},
	"C":  {"H": 0.56, "L": 0.22, "N": 0},
	"I":  {"H": 0.56, "L": 0.22, "N": 0},
	"A":  {"H": 0.56, "L": 0.22, "N": 0},
}

// CVSS3Score computes the base score of a CVSS v3.0 or v3.1 vector
// ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" is 9.8) by the
// specification's formula, with 3.1's rounding. Other versions and
// incomplete vectors are errors.
func CVSS3Score(vector string) (float64, error) {
	parts := strings.Split(strings.TrimSpace(vector), "/")
	if len(parts) == 0 || (parts[0] != "CVSS:3.1" && parts[0] != "CVSS:3.0") {
		return 0, fmt.Errorf("not a CVSS v3 vector: %q", clip(vector))
	}
	m := map[string]string{}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, ":")
		if !ok {
			return 0, fmt.Errorf("CVSS vector %q: bad metric %q", clip(vector), clip(p))
		}
		m[k] = v
	}
	w := map[string]float64{}
	for k, values := range cvss3Weights {
		x, ok := values[m[k]]
		if !ok {
			return 0, fmt.Errorf("CVSS vector %q: missing or bad %s", clip(vector), k)
		}
		w[k] = x
	}
	changed := m["S"] == "C"
	if changed && m["PR"] == "L" {
		w["PR"] = 0.68
	} else if changed && m["PR"] == "H" {
		w["PR"] = 0.5
	}
	iss := 1 - (1-w["C"])*(1-w["I"])*(1-w["A"])
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	if impact <= 0 {
		return 0, nil
	}
	exploitability := 8.22 * w["AV"] * w["AC"] * w["PR"] * w["UI"]
	if changed {
		return roundUp(math.Min(1.08*(impact+exploitability), 10)), nil
	}
	return roundUp(math.Min(impact+exploitability, 10)), nil
}

// roundUp is CVSS 3.1's Roundup: the smallest one-decimal number at least
// x, computed on integers to avoid floating-point surprises.
func roundUp(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return float64(i/10000+1) / 10
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
