package packagist

import (
	"bytes"
	"errors"
	"os"
	"regexp"
	"testing"
)

// namePattern is Packagist's rule for package names, as its validator
// writes it: validName must agree with it on every input.
var namePattern = regexp.MustCompile(`^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$`)

// FuzzValidName holds the hand-written name scanner to the expression.
func FuzzValidName(f *testing.F) {
	for _, s := range []string{"guzzlehttp/guzzle", "symfony/polyfill-intl-idn", "a/b", "a--b/c", "a/b--c", "a/b---c",
		"a/b-_c", "a_/b", "a/b/", "A/b", "a/b.", ".a/b", "a//b", "a/", "/b", "vendor00/library-000", "a.b-c_d/e--f.g", "a/-b", "a/b-", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := validName(name), namePattern.MatchString(name); got != want {
			t.Fatalf("validName(%q) = %v, the expression says %v", name, got, want)
		}
	})
}

// FuzzParseOSV checks that any input parses or fails with one of the
// package's errors, and that a parsed advisory can be judged.
func FuzzParseOSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/advisories/github/advisories/github-reviewed/2022/06/GHSA-q559-8m2m-g699/GHSA-q559-8m2m-g699.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"id":"GHSA-2222-3333-4444","affected":[{"package":{"ecosystem":"Packagist","name":"a/b"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"1.0"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseOSV(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrInvalidAdvisory) && !errors.Is(err, ErrNotLibrary) && !errors.Is(err, ErrWithdrawn) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		judge(t, a)
	})
}

// FuzzParseFriendsOfPHP is FuzzParseOSV for the YAML format.
func FuzzParseFriendsOfPHP(f *testing.F) {
	if b, err := os.ReadFile("testdata/advisories/friendsofphp/twig/twig/CVE-2024-51754.yaml"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("title: x\nbranches:\n  1.x:\n    time: ~\n    versions: ['>=1.0', '<2.0']\nreference: composer://a/b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseFriendsOfPHP(bytes.NewReader(data), "a/b/x.yaml")
		if err != nil {
			if !errors.Is(err, ErrInvalidAdvisory) && !errors.Is(err, ErrNotLibrary) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		judge(t, a)
	})
}

// judge checks a parsed advisory in a set: a fix it names for a version
// is above that version.
func judge(t *testing.T, a Advisory) {
	s := NewSet()
	s.Add(a)
	for _, rg := range a.Ranges {
		for _, v := range []string{"0.0.1", "1.0.0", "2.5.3", rg.Fixed} {
			if v == "" {
				continue
			}
			findings, err := s.Check(rg.Package, v)
			if err != nil {
				continue
			}
			for _, f := range findings {
				if f.Fixed != "" && f.Fixed == v {
					t.Fatalf("%s: version %s is said to be fixed by itself", a.ID, v)
				}
			}
		}
	}
}
