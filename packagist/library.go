package packagist

import (
	"net/url"
	"strings"
)

// Library is one Composer package of a site that is not a Drupal project:
// a PHP library, a Composer plugin, a metapackage or an asset package. Its
// JSON form is the inventory payload's libraries entry.
type Library struct {
	// Name is the composer name ("guzzlehttp/guzzle").
	Name string `json:"name"`
	// Version is the installed version as the lock gives it ("v4.4.34",
	// "7.4.2", "dev-main").
	Version string `json:"version"`
	// Dev marks a packages-dev entry.
	Dev bool `json:"dev,omitempty"`
	// Type is the composer package type ("library", "composer-plugin",
	// "metapackage"); "" when the lock omits it (composer's "library").
	Type string `json:"type,omitempty"`
	// Source is the host of the repository the package came from, read
	// from the lock's notification-url ("packagist.org"); "" for a package
	// of a path, VCS or inline repository. The lock's own "source" and
	// "dist" URLs are not read: they can carry deploy credentials and are
	// stripped before a lock is stored.
	Source string `json:"source,omitempty"`
}

// SourceHost returns the host of a repository URL
// ("https://packagist.org/downloads/" is "packagist.org",
// "https://user:token@git.example.com/x.git" is "git.example.com", and
// "git@github.com:x/y.git" is "github.com"), without the credentials a URL
// can carry.
func SourceHost(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return strings.ToLower(u.Hostname())
	}
	// scp-like git: [user@]host:path
	if at := strings.LastIndexByte(raw, '@'); at >= 0 {
		raw = raw[at+1:]
	}
	if host, _, ok := strings.Cut(raw, ":"); ok && host != "" && !strings.ContainsAny(host, "/\\") {
		return strings.ToLower(host)
	}
	return ""
}

// Vulnerable is one library of an inventory with the advisories that apply
// to it.
type Vulnerable struct {
	Library  Library
	Findings []Finding
}

// CheckLibraries judges every library of an inventory against the set and
// returns those with findings, in the order given. A version Composer
// cannot read has none.
func (s *Set) CheckLibraries(libs []Library) []Vulnerable {
	var out []Vulnerable
	for _, l := range libs {
		f, err := s.Check(l.Name, l.Version)
		if err != nil || len(f) == 0 {
			continue
		}
		out = append(out, Vulnerable{Library: l, Findings: f})
	}
	return out
}

// MaxNameLength bounds a composer package name Fleetwatch accepts.
const MaxNameLength = 200

// ValidName reports whether name is a composer package name as Packagist
// accepts it: lower-case "vendor/package" of letters, digits and single
// separators.
func ValidName(name string) bool {
	return len(name) <= MaxNameLength && validName(name)
}

// validName matches Packagist's name rule,
// ^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$ (the
// fuzz test holds it to the expression): a vendor and a package of
// lower-case letters and digits, each separator between two of them, and
// in the package a dash may be doubled. It is scanned by hand because
// every push validates each of a site's 150-300 library names, and the
// expression cost more than the rest of a library's validation.
func validName(name string) bool {
	vendor, pkg, ok := strings.Cut(name, "/")
	return ok && validNamePart(vendor, false) && validNamePart(pkg, true)
}

func validNamePart(s string, doubleDash bool) bool {
	if s == "" || !alnum(s[0]) || !alnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case alnum(c):
		case c == '_' || c == '.' || c == '-':
			if alnum(s[i-1]) {
				continue
			}
			// The second of two dashes, after a letter or digit.
			if !(doubleDash && c == '-' && s[i-1] == '-' && alnum(s[i-2])) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func alnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
