package drupal

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrInvalidAdvisory is wrapped by the errors of the advisory parsers for
// input that is not advisory data of the expected format.
var ErrInvalidAdvisory = errors.New("invalid security advisory data")

// ErrNotDrupalPackage is wrapped, beside ErrInvalidAdvisory, when an OSV or
// FriendsOfPHP advisory is well formed but concerns a package that is not
// drupal/* (a PHP library, which package packagist reads): a mirror holds
// both.
var ErrNotDrupalPackage = errors.New("advisory of a package that is not drupal/*")

// Risk levels of drupal.org security advisories, in Fleetwatch's spelling
// (the severity constants of the fleetwatch package).
const (
	RiskHighlyCritical     = "highly_critical"
	RiskCritical           = "critical"
	RiskModeratelyCritical = "moderately_critical"
	RiskLessCritical       = "less_critical"
	RiskNotCritical        = "not_critical"
)

// MaxAdvisories is the most advisories one parsed document may hold.
const MaxAdvisories = 10000

// Advisory is one drupal.org security advisory, as one of its published
// formats gives it. Risk fields are kept as published: RiskLabel is the
// label text of the title, RiskVector the vector, and RiskScore is set only
// when the format carries a score or a complete vector to add up.
type Advisory struct {
	// ID is the advisory id in upper case: "SA-CONTRIB-2026-138",
	// "SA-CORE-2024-001"; OSV ids ("DRUPAL-CORE-2024-001") are turned into
	// this form.
	ID string
	// Project is the drupal.org machine name ("key_auth", "drupal" for
	// core), "" when the format does not name it (an api-d7 node whose
	// project node is unknown).
	Project string
	// ProjectNodeID is the drupal.org node id of the project (api-d7 only).
	ProjectNodeID string
	// Title is the advisory's title as published.
	Title string
	// URL is the advisory page.
	URL string
	// RiskLabel is the risk level as published ("Moderately critical"), ""
	// when the format has none.
	RiskLabel string
	// Severity is RiskLabel in Fleetwatch's spelling (Risk* constants), ""
	// when unknown.
	Severity string
	// RiskScore is the score out of 25, -1 when unknown.
	RiskScore int
	// RiskVector is the vector as published
	// ("AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Default").
	RiskVector string
	// VulnerabilityType is the type of flaw ("Access bypass").
	VulnerabilityType string
	// AffectedVersions is the composer constraint of affected versions as
	// published ("<2.2.4", ">=8.0 <10.1.8 || >=10.2 <10.2.2").
	AffectedVersions string
	// FixedVersions are the releases that fix it, in the form the source
	// gives (drupal.org or composer form; compare with Compare).
	FixedVersions []string
	// CVEs are the CVE ids.
	CVEs []string
	// IsPSA marks a public service announcement, which fixes nothing.
	IsPSA bool
	// Published is when the advisory was published; zero when unknown.
	Published time.Time
	// Source names the format: "api-d7", "osv" (the Drupal Security
	// Team's), "ghsa" (GitHub's OSV), "friendsofphp".
	Source string
}

// riskPoints are the points of each metric value of a risk vector (FORMATS.md
// and drupal.org's "Security risk levels defined").
var riskPoints = map[string]map[string]int{
	"AC": {"None": 4, "Basic": 2, "Complex": 1},
	"A":  {"None": 4, "User": 2, "Admin": 1},
	"CI": {"All": 5, "Some": 3, "None": 0},
	"II": {"All": 5, "Some": 3, "None": 0},
	"E":  {"Exploit": 3, "Proof": 2, "Theoretical": 1},
	"TD": {"All": 3, "Default": 2, "Uncommon": 1},
}

// RiskVectorScore adds up the points of a complete drupal.org risk vector
// ("AC:Basic/A:User/CI:Some/II:Some/E:Theoretical/TD:Default" is 13). An
// incomplete or unknown vector is an error wrapping ErrInvalidAdvisory.
func RiskVectorScore(vector string) (int, error) {
	seen := map[string]bool{}
	score := 0
	for part := range strings.SplitSeq(strings.TrimSpace(vector), "/") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), ":")
		points, known := riskPoints[k]
		p, valid := points[v]
		if !ok || !known || !valid || seen[k] {
			return 0, fmt.Errorf("%w: risk vector %q: bad metric %q", ErrInvalidAdvisory, clip(vector), clip(part))
		}
		seen[k] = true
		score += p
	}
	if len(seen) != len(riskPoints) {
		return 0, fmt.Errorf("%w: risk vector %q lacks metrics", ErrInvalidAdvisory, clip(vector))
	}
	return score, nil
}

// RiskForScore returns the risk level (Risk* constant) of a score out of 25.
func RiskForScore(score int) string {
	switch {
	case score >= 20:
		return RiskHighlyCritical
	case score >= 15:
		return RiskCritical
	case score >= 10:
		return RiskModeratelyCritical
	case score >= 5:
		return RiskLessCritical
	}
	return RiskNotCritical
}

// RiskForLabel returns the risk level (Risk* constant) of a label as
// drupal.org writes it, in any case ("Moderately critical", "Highly
// Critical"), and false for anything else.
func RiskForLabel(label string) (string, bool) {
	switch strings.ToLower(strings.Join(strings.Fields(label), " ")) {
	case "highly critical":
		return RiskHighlyCritical, true
	case "critical":
		return RiskCritical, true
	case "moderately critical":
		return RiskModeratelyCritical, true
	case "less critical":
		return RiskLessCritical, true
	case "not critical":
		return RiskNotCritical, true
	}
	return "", false
}

// saIDPattern finds an advisory id in a title or URL.
var saIDPattern = regexp.MustCompile(`(?i)\b(SA|PSA)-(CORE|CONTRIB)-\d{4}-\d{3,}\b`)

// releaseLinkPattern finds release links in advisory HTML:
// /project/key_auth/releases/2.2.4.
var releaseLinkPattern = regexp.MustCompile(`/project/([a-z0-9_]{1,128})/releases/([0-9A-Za-z.+_-]{1,128})`)

// splitTitle reads "<Project> - <Risk label> - <Type> - <SA-ID>". The label is
// the part that is a known risk level, so that a project name with " - " in
// it does not confuse it.
func splitTitle(title string) (label, vulnType string) {
	parts := strings.Split(title, " - ")
	for i, p := range parts {
		if _, ok := RiskForLabel(p); ok && i > 0 {
			label = strings.TrimSpace(p)
			if i+1 < len(parts)-1 {
				vulnType = strings.TrimSpace(strings.Join(parts[i+1:len(parts)-1], " - "))
			}
			return label, vulnType
		}
	}
	return "", ""
}

// apiD7Ref is a {"uri","id","resource"} reference of api-d7.
type apiD7Ref struct {
	ID json.RawMessage `json:"id"`
}

func (r apiD7Ref) id() string { return rawScalar(r.ID) }

// apiD7Text is a {"value","format"} field, or [] when unset.
type apiD7Text struct{ Value string }

func (t *apiD7Text) UnmarshalJSON(b []byte) error {
	var v struct {
		Value string `json:"value"`
	}
	if len(b) > 0 && b[0] == '[' {
		return nil // an empty field is []
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	t.Value = v.Value
	return nil
}

type apiD7Node struct {
	Type               string          `json:"type"`
	Nid                json.RawMessage `json:"nid"`
	Title              string          `json:"title"`
	URL                string          `json:"url"`
	Created            json.RawMessage `json:"created"`
	IsPSA              json.RawMessage `json:"field_is_psa"`
	Project            json.RawMessage `json:"field_project"`
	Criticality        json.RawMessage `json:"field_sa_criticality"`
	SAType             json.RawMessage `json:"field_sa_type"`
	AffectedVersions   json.RawMessage `json:"field_affected_versions"`
	FixedIn            json.RawMessage `json:"field_fixed_in"`
	CVE                json.RawMessage `json:"field_sa_cve"`
	Solution           apiD7Text       `json:"field_sa_solution"`
	ProjectMachineName json.RawMessage `json:"field_project_machine_name"`
}

// APID7Page is one page of a drupal.org api-d7 node listing
// (/api-d7/node.json?type=sa…).
type APID7Page struct {
	// Advisories are the SA nodes of the page, PSAs included.
	Advisories []Advisory
	// Projects maps the node ids of project nodes on the page to their
	// machine names.
	Projects map[string]string
	// Next is the URL of the next page, "" on the last one.
	Next string
}

// ParseAPID7 parses a drupal.org api-d7 node listing: security advisory
// nodes (type "sa") and project nodes (for their machine names). The risk
// label comes from the title, the vector from field_sa_criticality, the
// score is the sum of the vector's points (api-d7 publishes no score), and
// fixed versions come from release links in the solution. An advisory whose
// project is known only by node id has an empty Project; resolve it with
// Projects of a project listing. Errors wrap ErrInvalidAdvisory.
func ParseAPID7(r io.Reader) (APID7Page, error) {
	var doc struct {
		List []json.RawMessage `json:"list"`
		Next string            `json:"next"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return APID7Page{}, fmt.Errorf("%w: api-d7 listing: %v", ErrInvalidAdvisory, err)
	}
	if doc.List == nil {
		return APID7Page{}, fmt.Errorf("%w: api-d7 listing has no list", ErrInvalidAdvisory)
	}
	if len(doc.List) > MaxAdvisories {
		return APID7Page{}, fmt.Errorf("%w: api-d7 listing of %d nodes", ErrInvalidAdvisory, len(doc.List))
	}
	page := APID7Page{Projects: map[string]string{}, Next: strings.Replace(doc.Next, "/api-d7/node?", "/api-d7/node.json?", 1)}
	for i, raw := range doc.List {
		var n apiD7Node
		if err := json.Unmarshal(raw, &n); err != nil {
			return APID7Page{}, fmt.Errorf("%w: api-d7 node %d: %v", ErrInvalidAdvisory, i, err)
		}
		switch {
		case n.Type == "sa":
			page.Advisories = append(page.Advisories, n.advisory())
		case strings.HasPrefix(n.Type, "project_"):
			if name := rawScalar(n.ProjectMachineName); name != "" && validMachineName(name) {
				page.Projects[rawScalar(n.Nid)] = name
			}
		}
	}
	return page, nil
}

func (n apiD7Node) advisory() Advisory {
	a := Advisory{Title: strings.TrimSpace(n.Title), URL: n.URL, RiskScore: -1, Source: "api-d7"}
	if m := saIDPattern.FindString(n.URL); m != "" {
		a.ID = strings.ToUpper(m)
	} else if m := saIDPattern.FindString(n.Title); m != "" {
		a.ID = strings.ToUpper(m)
	} else {
		a.ID = "NODE-" + rawScalar(n.Nid)
	}
	a.IsPSA = rawScalar(n.IsPSA) == "1" || strings.HasPrefix(a.ID, "PSA-")
	var ref apiD7Ref
	if json.Unmarshal(n.Project, &ref) == nil {
		a.ProjectNodeID = ref.id()
	}
	if a.ProjectNodeID == "3060" {
		a.Project = CoreProject
	}
	a.RiskLabel, a.VulnerabilityType = splitTitle(a.Title)
	a.Severity, _ = RiskForLabel(a.RiskLabel)
	a.RiskVector = strings.TrimSpace(rawScalar(n.Criticality))
	if score, err := RiskVectorScore(a.RiskVector); err == nil {
		a.RiskScore = score
		if a.Severity == "" {
			a.Severity = RiskForScore(score)
		}
	}
	if a.VulnerabilityType == "" {
		a.VulnerabilityType = rawScalar(n.SAType)
	}
	a.AffectedVersions = strings.TrimSpace(html.UnescapeString(rawScalar(n.AffectedVersions)))
	var cves []string
	if json.Unmarshal(n.CVE, &cves) == nil {
		a.CVEs = cves
	}
	if sec, err := strconv.ParseInt(rawScalar(n.Created), 10, 64); err == nil && sec > 0 {
		a.Published = time.Unix(sec, 0).UTC()
	}
	for _, m := range releaseLinkPattern.FindAllStringSubmatch(n.Solution.Value, 50) {
		if a.Project == "" {
			a.Project = m[1]
		}
		if m[1] == a.Project && !slices.Contains(a.FixedVersions, m[2]) {
			a.FixedVersions = append(a.FixedVersions, m[2])
		}
	}
	return a
}

// rawScalar returns a JSON string or number as text, "" for anything else.
func rawScalar(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(b, &n) == nil {
		return n.String()
	}
	return ""
}

// validMachineName reports whether s is a drupal.org project machine name.
func validMachineName(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// ParseOSV parses one OSV advisory of a drupal/* package: the Drupal
// Security Team's database (drupal-advisory-database, ids DRUPAL-…) or the
// GitHub Advisory Database (GHSA-…). A GHSA entry that links its drupal.org
// advisory takes that advisory's id (SA-CORE-2018-006), so that it merges
// with what other sources say of it; GitHub splits some advisories into
// several entries, which then merge too. OSV carries no drupal.org risk
// data: Severity and RiskLabel stay empty, RiskScore -1 (GitHub's own
// LOW…CRITICAL is another scale, and is not taken for one). Fixed versions
// are the "fixed" events of the ranges. Errors wrap ErrInvalidAdvisory.
func ParseOSV(r io.Reader) (Advisory, error) {
	var doc struct {
		ID        string   `json:"id"`
		Published string   `json:"published"`
		Aliases   []string `json:"aliases"`
		Summary   string   `json:"summary"`
		Affected  []struct {
			Package struct {
				Name string `json:"name"`
			} `json:"package"`
			Ranges []struct {
				Events []map[string]string `json:"events"`
			} `json:"ranges"`
			DatabaseSpecific struct {
				AffectedVersions string `json:"affected_versions"`
			} `json:"database_specific"`
		} `json:"affected"`
		References []struct {
			URL string `json:"url"`
		} `json:"references"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return Advisory{}, fmt.Errorf("%w: osv: %v", ErrInvalidAdvisory, err)
	}
	if doc.ID == "" || len(doc.Affected) == 0 {
		return Advisory{}, fmt.Errorf("%w: osv entry without id or affected package", ErrInvalidAdvisory)
	}
	a := Advisory{ID: strings.ToUpper(doc.ID), Title: doc.Summary, RiskScore: -1, Source: "osv"}
	if rest, ok := strings.CutPrefix(a.ID, "DRUPAL-"); ok {
		a.ID = "SA-" + rest
	}
	for _, ref := range doc.References {
		if id := saIDPattern.FindString(ref.URL); id != "" {
			a.URL = ref.URL
			if strings.HasPrefix(a.ID, "GHSA-") {
				a.ID = strings.ToUpper(id)
			}
			break
		}
	}
	if strings.HasPrefix(strings.ToUpper(doc.ID), "GHSA-") {
		a.Source = "ghsa"
	}
	for _, alias := range doc.Aliases {
		if strings.HasPrefix(alias, "CVE-") {
			a.CVEs = append(a.CVEs, alias)
		}
	}
	if t, err := time.Parse(time.RFC3339, doc.Published); err == nil {
		a.Published = t.UTC()
	}
	var err error
	if a.Project, err = composerProject("osv", doc.Affected[0].Package.Name); err != nil {
		return Advisory{}, err
	}
	a.AffectedVersions = doc.Affected[0].DatabaseSpecific.AffectedVersions
	for _, aff := range doc.Affected {
		for _, rg := range aff.Ranges {
			for _, ev := range rg.Events {
				if f := ev["fixed"]; f != "" && len(f) <= MaxVersionLength && !slices.Contains(a.FixedVersions, f) {
					a.FixedVersions = append(a.FixedVersions, f)
				}
			}
		}
	}
	return a, nil
}

// composerProject is the drupal.org project of a composer package
// ("drupal/core" is core), or an error wrapping ErrInvalidAdvisory that
// names the format.
func composerProject(format, pkg string) (string, error) {
	name, ok := strings.CutPrefix(pkg, "drupal/")
	switch {
	case !ok:
		return "", fmt.Errorf("%w: %w: %s package %q", ErrInvalidAdvisory, ErrNotDrupalPackage, format, clip(pkg))
	case name == "core" || name == "core-recommended" || name == "drupal":
		return CoreProject, nil
	case validMachineName(name):
		return name, nil
	}
	return "", fmt.Errorf("%w: %s package %q is not a drupal.org project", ErrInvalidAdvisory, format, clip(pkg))
}

// ParseFriendsOfPHP parses one advisory of the FriendsOfPHP
// security-advisories database (drupal/<project>/<name>.yaml): its id from
// the drupal.org link, its risk label from the title, its project from the
// composer reference, and as fixed versions the upper bounds of its
// branches that no branch counts as affected (a branch ending where the
// next begins is not fixed by that version; a bound a branch lacks leaves
// it open on that side). Errors wrap
// ErrInvalidAdvisory.
func ParseFriendsOfPHP(r io.Reader) (Advisory, error) {
	var doc struct {
		Title     string `yaml:"title"`
		Link      string `yaml:"link"`
		CVE       string `yaml:"cve"`
		Reference string `yaml:"reference"`
		Branches  map[string]struct {
			Time     string   `yaml:"time"`
			Versions []string `yaml:"versions"`
		} `yaml:"branches"`
	}
	dec := yaml.NewDecoder(io.LimitReader(r, 1<<20))
	if err := dec.Decode(&doc); err != nil {
		return Advisory{}, fmt.Errorf("%w: friendsofphp: %v", ErrInvalidAdvisory, err)
	}
	a := Advisory{Title: strings.TrimSpace(doc.Title), URL: doc.Link, RiskScore: -1, Source: "friendsofphp"}
	pkg, _ := strings.CutPrefix(doc.Reference, "composer://")
	var err error
	if a.Project, err = composerProject("friendsofphp", pkg); err != nil {
		return Advisory{}, err
	}
	if a.ID = strings.ToUpper(saIDPattern.FindString(doc.Link)); a.ID == "" {
		if a.ID = strings.ToUpper(saIDPattern.FindString(doc.Title)); a.ID == "" {
			return Advisory{}, fmt.Errorf("%w: friendsofphp entry %q names no drupal.org advisory", ErrInvalidAdvisory, clip(doc.Title))
		}
	}
	// "Highly critical - Remote Code Execution" has no project part.
	for _, part := range strings.Split(a.Title, " - ") {
		if sev, ok := RiskForLabel(strings.TrimSpace(part)); ok {
			a.RiskLabel, a.Severity = strings.TrimSpace(part), sev
			break
		}
	}
	if strings.HasPrefix(doc.CVE, "CVE-") {
		a.CVEs = []string{doc.CVE}
	}
	type bound struct {
		low, high       Version
		lowSet, highSet bool
		lowOpen         bool // ">": the low bound itself is not affected
		highClosed      bool // "<=": the high bound itself is affected
	}
	var ranges []bound
	var highs []string
	for _, b := range doc.Branches {
		var rg bound
		for _, c := range b.Versions {
			c = strings.TrimSpace(c)
			switch {
			case strings.HasPrefix(c, ">="):
				if v, err := Parse(strings.TrimPrefix(c, ">=")); err == nil {
					rg.low, rg.lowSet = v, true
				}
			case strings.HasPrefix(c, ">"):
				if v, err := Parse(strings.TrimPrefix(c, ">")); err == nil {
					rg.low, rg.lowSet, rg.lowOpen = v, true, true
				}
			case strings.HasPrefix(c, "<="):
				// The branch's last release is affected: no fix in it.
				if v, err := Parse(strings.TrimPrefix(c, "<=")); err == nil {
					rg.high, rg.highSet, rg.highClosed = v, true, true
				}
			case strings.HasPrefix(c, "<"):
				f := strings.TrimPrefix(c, "<")
				if v, err := Parse(f); err == nil && len(f) <= MaxVersionLength {
					rg.high, rg.highSet = v, true
					highs = append(highs, f)
				}
			}
		}
		ranges = append(ranges, rg)
		if t, err := time.Parse(time.DateTime, strings.TrimSpace(b.Time)); err == nil && (a.Published.IsZero() || t.Before(a.Published)) {
			a.Published = t.UTC()
		}
	}
	slices.Sort(highs)
	for _, f := range slices.Compact(highs) {
		v, _ := Parse(f)
		affected := false
		for _, rg := range ranges {
			// A branch without one of its bounds is open on that side.
			above := !rg.lowSet || Compare(rg.low, v) < 0 || (!rg.lowOpen && Compare(rg.low, v) == 0)
			below := !rg.highSet || Compare(v, rg.high) < 0 || (rg.highClosed && Compare(v, rg.high) == 0)
			if (rg.lowSet || rg.highSet) && above && below {
				affected = true
			}
		}
		if !affected {
			a.FixedVersions = append(a.FixedVersions, f)
		}
	}
	return a, nil
}

// Fixes reports whether the advisory names version as one of its fixed
// releases (drupal.org and composer forms compare equal).
func (a Advisory) Fixes(version string) bool {
	v, err := Parse(version)
	if err != nil {
		return false
	}
	for _, f := range a.FixedVersions {
		if fv, err := Parse(f); err == nil && Compare(fv, v) == 0 {
			return true
		}
	}
	return false
}

// Affects reports whether version is in AffectedVersions, and whether that
// could be decided (a missing or unparseable constraint cannot).
func (a Advisory) Affects(version string) (affected, known bool) {
	if a.AffectedVersions == "" {
		return false, false
	}
	v, err := Parse(version)
	if err != nil {
		return false, false
	}
	ok, err := SatisfiesConstraint(v, a.AffectedVersions)
	if err != nil {
		return false, false
	}
	return ok, true
}

// MatchWindow is how far apart a security release and an advisory without
// fixed versions may be published and still be matched by date.
const MatchWindow = 72 * time.Hour

// MatchAdvisory returns the advisory among advs that a security release of
// project fixes, and whether there is one: first an advisory naming the
// release among its fixed versions; failing that, one published within
// MatchWindow of the release that does not list the release as affected.
// PSAs never match. Among several, the most severe wins.
func MatchAdvisory(advs []Advisory, project string, rel Release) (Advisory, bool) {
	var best Advisory
	found := false
	consider := func(a Advisory) {
		if !found || riskRank(a.Severity) > riskRank(best.Severity) {
			best, found = a, true
		}
	}
	for _, a := range advs {
		if a.Project == project && !a.IsPSA && a.Fixes(rel.Version) {
			consider(a)
		}
	}
	if found || rel.Date.IsZero() {
		return best, found
	}
	for _, a := range advs {
		if a.Project != project || a.IsPSA || a.Published.IsZero() || len(a.FixedVersions) > 0 {
			continue
		}
		d := a.Published.Sub(rel.Date)
		if d < -MatchWindow || d > MatchWindow {
			continue
		}
		if affected, known := a.Affects(rel.Version); known && affected {
			continue
		}
		consider(a)
	}
	return best, found
}

func riskRank(s string) int {
	switch s {
	case RiskHighlyCritical:
		return 5
	case RiskCritical:
		return 4
	case RiskModeratelyCritical:
		return 3
	case RiskLessCritical:
		return 2
	case RiskNotCritical:
		return 1
	}
	return 0
}
