package composerver

import (
	"strings"
	"testing"
)

var fuzzSeeds = []string{
	"1.0.0", "v4.4.34", "1.0.0beta5", "v10.2.0-patch2", "dev-master", "2.x-dev", "1.0.0-RC1-dev",
	"^7.4.2 || ~6.5.0", ">=4,<6.5.8", ">=7 <7.4.5", "1.2.*", "1.0 - 2.0", "~1.2-beta", "dev-main as 1.0",
	">=2.0.0-alpha1", "<1.0.0-beta1", "2010-01-02", "^0.0.3", "!=1.0.1", "*", ">2.0@stable,@dev",
}

// FuzzParse checks, for any constraint and version Composer accepts, that
// parsing never panics, that an exact version satisfies itself, and that
// "<X" and ">=X" split the releases between them.
func FuzzParse(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+3)%len(fuzzSeeds)])
	}
	f.Fuzz(func(t *testing.T, constraint, version string) {
		c, errC := Parse(constraint)
		v, errV := ParseVersion(version)
		if errC == nil && errV == nil {
			_ = c.Matches(v)
			_ = c.String()
		}
		// Composer splits a constraint at spaces and commas and drops "#ref".
		if errV != nil || strings.ContainsAny(version, "#|, \t\n\r\f\v") {
			return
		}
		if exact, err := Parse(version); err == nil && !exact.Matches(v) {
			t.Fatalf("version %q (%s) does not satisfy itself (%s)", version, v, exact)
		}
		if v.IsBranch() || strings.ContainsAny(constraint, " ,|@") {
			return
		}
		lt, errLT := Parse("<" + constraint)
		ge, errGE := Parse(">=" + constraint)
		if errLT != nil || errGE != nil || len(lt.Any[0]) != 1 || len(ge.Any[0]) != 1 || lt.Any[0][0].Version.IsBranch() {
			return
		}
		if lt.Matches(v) == ge.Matches(v) {
			t.Fatalf("%q: %s is %t and %s is %t", version, lt, lt.Matches(v), ge, ge.Matches(v))
		}
	})
}

// FuzzCompare checks that Compare is a total order on normalised versions.
func FuzzCompare(f *testing.F) {
	for i, s := range fuzzSeeds {
		f.Add(s, fuzzSeeds[(i+1)%len(fuzzSeeds)], fuzzSeeds[(i+5)%len(fuzzSeeds)])
	}
	f.Fuzz(func(t *testing.T, as, bs, cs string) {
		a, errA := ParseVersion(as)
		b, errB := ParseVersion(bs)
		c, errC := ParseVersion(cs)
		if errA != nil || errB != nil || errC != nil {
			return
		}
		if Compare(a, a) != 0 {
			t.Fatalf("Compare(%s, itself) != 0", a)
		}
		ab, ba := Compare(a, b), Compare(b, a)
		if ab != -ba {
			t.Fatalf("Compare(%s, %s) = %d but Compare(%s, %s) = %d", a, b, ab, b, a, ba)
		}
		if ab <= 0 && Compare(b, c) <= 0 && Compare(a, c) > 0 {
			t.Fatalf("not transitive: %s <= %s <= %s but %s > %s", a, b, c, a, c)
		}
	})
}
