package drupal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// versionSeeds are real version strings: drupal.org, composer and core forms.
var versionSeeds = []string{
	"8.x-1.5", "7.x-2.0-beta3", "8.x-1.x-dev", "8.x-2.0+3-dev", "2.1.3", "3.0.0-rc1", "2.x-dev",
	"2.0.x-dev", "3.1.1+4-dev", "7.101", "10.3.6", "11.0.0-alpha1", "8.0.0-beta2", "dev-3.x",
	"dev-2.0.x", "dev-feature/x", "8.x-dev", "1.0-unstable2", "3.0.0-rc7+1-dev", "8.x-2.0-beta3+1-dev",
	"8.x-1.13", "1.13.0", "8.1.0-dev", "6.x-1.0",
}

// FuzzCompare checks that Compare is a total order on whatever Parse
// accepts: reflexive, antisymmetric and transitive, and that equal
// versions compare alike with any third.
func FuzzCompare(f *testing.F) {
	for i, s := range versionSeeds {
		f.Add(s, versionSeeds[(i+1)%len(versionSeeds)], versionSeeds[(i+7)%len(versionSeeds)])
	}
	f.Fuzz(func(t *testing.T, as, bs, cs string) {
		a, errA := Parse(as)
		b, errB := Parse(bs)
		c, errC := Parse(cs)
		if errA != nil || errB != nil || errC != nil {
			return
		}
		if Compare(a, a) != 0 {
			t.Fatalf("Compare(%q, itself) != 0", as)
		}
		ab, ba := Compare(a, b), Compare(b, a)
		if ab != -ba || ab < -1 || ab > 1 {
			t.Fatalf("Compare(%q, %q) = %d but Compare(%q, %q) = %d", as, bs, ab, bs, as, ba)
		}
		bc, ac := Compare(b, c), Compare(a, c)
		if ab <= 0 && bc <= 0 && ac > 0 {
			t.Fatalf("not transitive: %q <= %q <= %q but %q > %q", as, bs, cs, as, cs)
		}
		if ab == 0 && ac != bc {
			t.Fatalf("%q == %q, but against %q they compare %d and %d", as, bs, cs, ac, bc)
		}
	})
}

// FuzzSatisfiesConstraint feeds core_compatibility constraints as the
// release feeds write them. An exact constraint naming a version's
// triplet is always satisfied, "*" always, and the alternatives of a
// disjunction are satisfied when any of them is.
func FuzzSatisfiesConstraint(f *testing.F) {
	for _, c := range []string{"^8 || ^9", "~8.8.0", ">=8.1.0 <9", "8.0.0 || 8.1.1", "8.*", "^9.3 || ^10", "^10.1 || ^11", ">=7.0,<8", "*", "9.0@dev", "!= 8.2.0"} {
		f.Add("10.3.6", c)
		f.Add("8.x-1.13", c)
	}
	f.Fuzz(func(t *testing.T, vs, c string) {
		v, err := Parse(vs)
		if err != nil {
			return
		}
		ok, err := SatisfiesConstraint(v, c)
		if err != nil {
			if ok {
				t.Fatalf("SatisfiesConstraint(%q, %q) = true with error %v", vs, c, err)
			}
			return
		}
		tr := triplet(v)
		exact := fmt.Sprintf("%d.%d.%d", tr[0], tr[1], tr[2])
		if tr[0] < 0 {
			return
		}
		if got, err := SatisfiesConstraint(v, exact); err != nil || !got {
			t.Fatalf("%q does not satisfy its own triplet %q: %v", vs, exact, err)
		}
		if got, err := SatisfiesConstraint(v, c+" || "+exact); err != nil || !got {
			t.Fatalf("%q does not satisfy %q: %v", vs, c+" || "+exact, err)
		}
		if got, err := SatisfiesConstraint(v, exact+" || "+c); err != nil || got != true {
			t.Fatalf("%q does not satisfy %q: %v", vs, exact+" || "+c, err)
		}
	})
}

// FuzzStripComposerURLs: whatever lock is pushed, what is stored has no
// dist or source left in any package, and reads as the same inventory as
// what was pushed.
func FuzzStripComposerURLs(f *testing.F) {
	for _, site := range []string{"boston-gov", "usagov"} {
		f.Add(composerLockFrom(f, mustLoadSite(f, site)))
	}
	f.Add([]byte(`{"packages":[{"name":"drupal/token","version":"1.15.0","type":"drupal-module","dist":{"url":"https://u:p@x/t.zip"},"source":{"url":"https://u:p@x/t.git"}}],"packages-dev":null}`))
	f.Add([]byte(`{"packages":[{"name":"drupal/token","version":"1.15.0","type":"drupal-module","Dist":{"url":"https://u:p@x/t.zip"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := StripComposerURLs(b)
		if err != nil {
			if !errors.Is(err, ErrInvalidInventory) {
				t.Fatalf("error %v does not wrap ErrInvalidInventory", err)
			}
			if !bytes.Equal(out, b) {
				t.Fatal("a lock that is not stripped must come back as it was")
			}
			return
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(out, &top); err != nil {
			t.Fatalf("stripped lock is not a JSON object: %v", err)
		}
		for key, raw := range top {
			if !strings.EqualFold(key, "packages") && !strings.EqualFold(key, "packages-dev") {
				continue
			}
			var pkgs []map[string]json.RawMessage
			if err := json.Unmarshal(raw, &pkgs); err != nil {
				t.Fatalf("stripped %s is not a list of packages: %v", key, err)
			}
			for _, p := range pkgs {
				for k := range p {
					if strings.EqualFold(k, "dist") || strings.EqualFold(k, "source") {
						t.Fatalf("stripped lock keeps %s.%s", key, k)
					}
				}
			}
		}
		want, errWant := ParseComposerLock(bytes.NewReader(b))
		got, errGot := ParseComposerLock(bytes.NewReader(out))
		if (errWant == nil) != (errGot == nil) {
			t.Fatalf("parse before stripping: %v; after: %v", errWant, errGot)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("inventory changed (-before +after):\n%s", diff)
		}
	})
}
