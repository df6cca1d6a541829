package drupal

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidFeed is wrapped by ParseReleaseHistory errors for input that is
// not a release-history feed: malformed or truncated XML, an HTML page, a
// project without a short_name, too many releases.
var ErrInvalidFeed = errors.New("invalid release history feed")

// ErrProjectNotFound is wrapped by ParseReleaseHistory when drupal.org
// answers that it has no release history for the project.
var ErrProjectNotFound = errors.New("no release history for project")

// MaxReleases is the most releases ParseReleaseHistory accepts in one feed.
const MaxReleases = 10000

// Project status values of a release-history feed's project_status.
const (
	ProjectPublished   = "published"
	ProjectUnpublished = "unpublished"
	ProjectInsecure    = "insecure"
	ProjectRevoked     = "revoked"
	ProjectUnsupported = "unsupported"
)

// Release status values.
const (
	ReleasePublished   = "published"
	ReleaseUnpublished = "unpublished"
)

// Release types: the values of a release's "Release type" terms.
const (
	ReleaseTypeSecurity    = "Security update"
	ReleaseTypeBugFixes    = "Bug fixes"
	ReleaseTypeNewFeatures = "New features"
	ReleaseTypeInsecure    = "Insecure"
	ReleaseTypeUnsupported = "Unsupported"
)

// Project is a drupal.org project as its release-history feed describes it.
type Project struct {
	// Title is the human name ("Chaos Tool Suite (ctools)").
	Title string
	// ShortName is the machine name ("ctools").
	ShortName string
	// Type is the feed's type ("project_core", "project_module",
	// "project_theme", ...), "" when the feed has none.
	Type string
	// Status is project_status: one of the Project* constants.
	Status string
	// SupportedBranches lists branches such as "8.x-1." or "10.3.".
	SupportedBranches []string
	// Link is the project page.
	Link string
	// Releases are in feed order: newest branch first, newest release first
	// within a branch, dev snapshots of a branch last. Evaluate relies on it,
	// as Drupal does.
	Releases []Release
}

// Release is one release of a project.
type Release struct {
	// Name is the release title ("Drupal 8.0.2").
	Name string
	// Version is the drupal.org version string.
	Version string
	// Status is ReleasePublished or ReleaseUnpublished.
	Status string
	// Date is the release date; zero when the feed gives none.
	Date time.Time
	// CoreCompatibility is the composer constraint on Drupal core ("^8.1.0"),
	// "" when absent.
	CoreCompatibility string
	// Types are the "Release type" terms, e.g. ReleaseTypeSecurity.
	Types []string
	// Security is the security advisory coverage, nil when the feed says
	// nothing about it.
	Security *SecurityCoverage
	// ReleaseLink is the release notes page.
	ReleaseLink string
	// DownloadLink is the archive URL.
	DownloadLink string
}

// SecurityCoverage is a release's <security> element.
type SecurityCoverage struct {
	// Covered reports covered="1": the release is covered by drupal.org's
	// security advisory policy.
	Covered bool
	// Text is the explanation drupal.org gives, trimmed.
	Text string
}

// HasType reports whether the release carries the release type t.
func (r Release) HasType(t string) bool { return slices.Contains(r.Types, t) }

// IsSecurityRelease reports whether the release is a security update.
func (r Release) IsSecurityRelease() bool { return r.HasType(ReleaseTypeSecurity) }

// IsInsecure reports whether drupal.org marked the release insecure.
func (r Release) IsInsecure() bool { return r.HasType(ReleaseTypeInsecure) }

// IsUnsupported reports whether drupal.org marked the release unsupported.
func (r Release) IsUnsupported() bool { return r.HasType(ReleaseTypeUnsupported) }

// IsPublished reports whether the release is published (not revoked).
func (r Release) IsPublished() bool { return r.Status == ReleasePublished }

// Release returns the release with version v (compared in drupal.org form),
// and whether there is one.
func (p *Project) Release(v string) (Release, bool) {
	want := v
	if pv, err := Parse(v); err == nil {
		want = pv.String()
	}
	for _, r := range p.Releases {
		if r.Version == v || r.Version == want {
			return r, true
		}
		if rv, err := Parse(r.Version); err == nil && rv.String() == want {
			return r, true
		}
	}
	return Release{}, false
}

type xmlRelease struct {
	Name              string `xml:"name"`
	Version           string `xml:"version"`
	Status            string `xml:"status"`
	ReleaseLink       string `xml:"release_link"`
	DownloadLink      string `xml:"download_link"`
	Date              string `xml:"date"`
	CoreCompatibility string `xml:"core_compatibility"`
	Terms             []struct {
		Name  string `xml:"name"`
		Value string `xml:"value"`
	} `xml:"terms>term"`
	Security *struct {
		Covered string `xml:"covered,attr"`
		Text    string `xml:",chardata"`
	} `xml:"security"`
}

// ParseReleaseHistory parses a drupal.org release-history feed
// (updates.drupal.org/release-history/{project}/current). Callers should
// pass a size-limited reader; the parser also refuses more than MaxReleases
// releases. Errors wrap ErrInvalidFeed or ErrProjectNotFound.
func ParseReleaseHistory(r io.Reader) (*Project, error) {
	d := xml.NewDecoder(r)
	d.Strict = true
	root, err := rootElement(d)
	if err != nil {
		return nil, err
	}
	switch root.Name.Local {
	case "project":
	case "error":
		var msg string
		if err := d.DecodeElement(&msg, &root); err != nil {
			return nil, fmt.Errorf("%w: decode error element: %w", ErrInvalidFeed, err)
		}
		msg = strings.TrimSpace(msg)
		if strings.HasPrefix(msg, "No release history") {
			return nil, fmt.Errorf("%w: %s", ErrProjectNotFound, clip(msg))
		}
		return nil, fmt.Errorf("%w: update server error: %s", ErrInvalidFeed, clip(msg))
	case "html", "HTML":
		return nil, fmt.Errorf("%w: got an HTML page, not a feed", ErrInvalidFeed)
	default:
		return nil, fmt.Errorf("%w: unexpected root element <%s>", ErrInvalidFeed, clip(root.Name.Local))
	}
	p, err := decodeProject(d)
	if err != nil {
		return nil, err
	}
	if p.ShortName == "" {
		return nil, fmt.Errorf("%w: project has no short_name", ErrInvalidFeed)
	}
	// Nothing but whitespace, comments and processing instructions may
	// follow; anything else means a broken or concatenated document.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: after </project>: %w", ErrInvalidFeed, err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			return nil, fmt.Errorf("%w: content after </project>", ErrInvalidFeed)
		}
	}
	return p, nil
}

// rootElement returns the document's first start element.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, fmt.Errorf("%w: empty document", ErrInvalidFeed)
		}
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("%w: %w", ErrInvalidFeed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				return xml.StartElement{}, fmt.Errorf("%w: text before the root element", ErrInvalidFeed)
			}
		case xml.Directive:
			// <!DOCTYPE html> announces an error page.
			if strings.Contains(strings.ToLower(string(t)), "html") {
				return xml.StartElement{}, fmt.Errorf("%w: got an HTML page, not a feed", ErrInvalidFeed)
			}
		}
	}
}

// decodeProject reads the children of <project> up to its end element.
func decodeProject(d *xml.Decoder) (*Project, error) {
	p := &Project{}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidFeed, unexpectedEOF(err))
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return p, nil
		case xml.StartElement:
			if t.Name.Space != "" {
				// dc:creator and other namespaced extras.
				if err := d.Skip(); err != nil {
					return nil, fmt.Errorf("%w: %w", ErrInvalidFeed, unexpectedEOF(err))
				}
				continue
			}
			if err := decodeProjectField(d, t, p); err != nil {
				return nil, err
			}
		}
	}
}

func decodeProjectField(d *xml.Decoder, t xml.StartElement, p *Project) error {
	var dst *string
	switch t.Name.Local {
	case "title":
		dst = &p.Title
	case "short_name":
		dst = &p.ShortName
	case "type":
		dst = &p.Type
	case "project_status":
		dst = &p.Status
	case "link":
		dst = &p.Link
	case "supported_branches":
		var s string
		if err := d.DecodeElement(&s, &t); err != nil {
			return fmt.Errorf("%w: supported_branches: %w", ErrInvalidFeed, unexpectedEOF(err))
		}
		p.SupportedBranches = splitBranches(s)
		return nil
	case "releases":
		return decodeReleases(d, p)
	default:
		if err := d.Skip(); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidFeed, clip(t.Name.Local), unexpectedEOF(err))
		}
		return nil
	}
	if err := d.DecodeElement(dst, &t); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrInvalidFeed, t.Name.Local, unexpectedEOF(err))
	}
	*dst = strings.TrimSpace(*dst)
	return nil
}

func decodeReleases(d *xml.Decoder, p *Project) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("%w: releases: %w", ErrInvalidFeed, unexpectedEOF(err))
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if t.Name.Local != "release" {
				if err := d.Skip(); err != nil {
					return fmt.Errorf("%w: releases: %w", ErrInvalidFeed, unexpectedEOF(err))
				}
				continue
			}
			if len(p.Releases) >= MaxReleases {
				return fmt.Errorf("%w: more than %d releases", ErrInvalidFeed, MaxReleases)
			}
			var xr xmlRelease
			if err := d.DecodeElement(&xr, &t); err != nil {
				return fmt.Errorf("%w: release %d: %w", ErrInvalidFeed, len(p.Releases)+1, unexpectedEOF(err))
			}
			rel, err := xr.release()
			if err != nil {
				return fmt.Errorf("%w: release %q: %w", ErrInvalidFeed, clip(xr.Version), err)
			}
			p.Releases = append(p.Releases, rel)
		}
	}
}

func (xr xmlRelease) release() (Release, error) {
	rel := Release{
		Name:              strings.TrimSpace(xr.Name),
		Version:           strings.TrimSpace(xr.Version),
		Status:            strings.TrimSpace(xr.Status),
		CoreCompatibility: strings.TrimSpace(xr.CoreCompatibility),
		ReleaseLink:       strings.TrimSpace(xr.ReleaseLink),
		DownloadLink:      strings.TrimSpace(xr.DownloadLink),
	}
	if ds := strings.TrimSpace(xr.Date); ds != "" {
		sec, err := strconv.ParseInt(ds, 10, 64)
		// Dates past year 9999 cannot be real and break time formatting.
		if err != nil || sec < 0 || sec > 253402300799 {
			return Release{}, fmt.Errorf("bad date %q", clip(ds))
		}
		rel.Date = time.Unix(sec, 0).UTC()
	}
	for _, term := range xr.Terms {
		if strings.TrimSpace(term.Name) == "Release type" {
			rel.Types = append(rel.Types, strings.TrimSpace(term.Value))
		}
	}
	if xr.Security != nil {
		rel.Security = &SecurityCoverage{
			Covered: strings.TrimSpace(xr.Security.Covered) == "1",
			Text:    strings.TrimSpace(xr.Security.Text),
		}
	}
	return rel, nil
}

func splitBranches(s string) []string {
	var out []string
	for b := range strings.SplitSeq(s, ",") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, b)
		}
	}
	return out
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// clip shortens outside text quoted in error messages.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
