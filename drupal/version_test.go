package drupal

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in     string
		want   Version
		str    string
		branch string
	}{
		{"8.x-1.5", Version{CoreCompat: "8.x", Major: 1, Minor: -1, Patch: 5}, "8.x-1.5", "8.x-1."},
		{"7.x-2.0-beta3", Version{CoreCompat: "7.x", Major: 2, Minor: -1, Patch: 0, Extra: "beta3", IsPrerelease: true}, "7.x-2.0-beta3", "7.x-2."},
		{"8.x-1.x-dev", Version{CoreCompat: "8.x", Major: 1, Minor: -1, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "8.x-1.x-dev", "8.x-1."},
		{"8.x-2.0+3-dev", Version{CoreCompat: "8.x", Major: 2, Minor: -1, Patch: 0, Extra: "dev", DevCommits: 3, IsDev: true}, "8.x-2.0+3-dev", "8.x-2."},
		{"3.0.0-rc7+1-dev", Version{Major: 3, Minor: 0, Patch: 0, Extra: "dev", BaseExtra: "rc7", DevCommits: 1, IsDev: true}, "3.0.0-rc7+1-dev", "3.0."},
		{"8.x-2.0-beta3+1-dev", Version{CoreCompat: "8.x", Major: 2, Minor: -1, Patch: 0, Extra: "dev", BaseExtra: "beta3", DevCommits: 1, IsDev: true}, "8.x-2.0-beta3+1-dev", "8.x-2."},
		{"2.1.3", Version{Major: 2, Minor: 1, Patch: 3}, "2.1.3", "2.1."},
		{"3.0.0-rc1", Version{Major: 3, Minor: 0, Patch: 0, Extra: "rc1", IsPrerelease: true}, "3.0.0-rc1", "3.0."},
		{"3.0.0-RC1", Version{Major: 3, Minor: 0, Patch: 0, Extra: "rc1", IsPrerelease: true}, "3.0.0-rc1", "3.0."},
		{"2.x-dev", Version{Major: 2, Minor: -1, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "2.x-dev", "2."},
		{"2.0.x-dev", Version{Major: 2, Minor: 0, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "2.0.x-dev", "2.0."},
		{"3.1.1+4-dev", Version{Major: 3, Minor: 1, Patch: 1, Extra: "dev", DevCommits: 4, IsDev: true}, "3.1.1+4-dev", "3.1."},
		{"7.101", Version{Major: 7, Minor: -1, Patch: 101}, "7.101", "7."},
		{"10.3.6", Version{Major: 10, Minor: 3, Patch: 6}, "10.3.6", "10.3."},
		{"11.0.0-alpha1", Version{Major: 11, Minor: 0, Patch: 0, Extra: "alpha1", IsPrerelease: true}, "11.0.0-alpha1", "11.0."},
		{"8.0.0-beta2", Version{Major: 8, Minor: 0, Patch: 0, Extra: "beta2", IsPrerelease: true}, "8.0.0-beta2", "8.0."},
		{"8.1.0-dev", Version{Major: 8, Minor: 1, Patch: 0, Extra: "dev", IsDev: true}, "8.1.0-dev", "8.1."},
		{"9.0.0-unstable3", Version{Major: 9, Minor: 0, Patch: 0, Extra: "unstable3", IsPrerelease: true}, "9.0.0-unstable3", "9.0."},
		{"7.x-dev", Version{Major: 7, Minor: -1, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "7.x-dev", "7."},
		{"8.x-dev", Version{Major: 8, Minor: -1, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "8.x-dev", "8."},
		{"dev-3.x", Version{Major: 3, Minor: -1, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "3.x-dev", "3."},
		{"dev-2.0.x", Version{Major: 2, Minor: 0, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "2.0.x-dev", "2.0."},
		{"dev-8.x-1.x", Version{CoreCompat: "8.x", Major: 1, Minor: -1, Patch: -1, Extra: "dev", BranchDev: true, IsDev: true}, "8.x-1.x-dev", "8.x-1."},
		{"dev-3326097-remove-dependency-on-drupal-autoservices", Version{Major: -1, Minor: -1, Patch: -1, Extra: "dev", IsDev: true, FeatureBranch: "3326097-remove-dependency-on-drupal-autoservices"}, "dev-3326097-remove-dependency-on-drupal-autoservices", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			tt.want.Raw = tt.in
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
			if s := got.String(); s != tt.str {
				t.Errorf("String() = %q, want %q", s, tt.str)
			}
			if b := got.Branch(); b != tt.branch {
				t.Errorf("Branch() = %q, want %q", b, tt.branch)
			}
		})
	}
}

func TestParse_Invalid(t *testing.T) {
	for _, in := range []string{
		"", " 8.x-1.0", "8.x-1.0 ", "8.x-1.0\n", "1.0\x00", "1", "x", "1.x", "2.x", "8.x-1", "8.x-1.x",
		"8.x-1.0-gamma1", "1.2.3.4", "1.2.3-beta1-foo", "1.2.3+4", "1.2.3+0-dev", "1.2.3+4-beta1", "1.2.3+1+2-dev", "1.x-dev+1-dev", "1.2.3-dev+1-dev", "+1-dev",
		"abc", "1.a.3", "dev-", "dev-a b", "Unknown", "1.-1.0", "99999999999.0.0", "8.x-8.x-1.0",
		"1.0-betax", "1.0-beta-1", "٣.0.0", strings.Repeat("1", 129),
	} {
		t.Run(in, func(t *testing.T) {
			v, err := Parse(in)
			if !errors.Is(err, ErrInvalidVersion) {
				t.Errorf("Parse(%q) = %+v, %v; want ErrInvalidVersion", in, v, err)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	// Each line sorts strictly after the previous one.
	ordered := []string{
		"dev-aaa-feature",
		"dev-zzz-feature",
		"7.x-1.0",
		"7.x-3.9",
		"7.x-3.x-dev",
		"8.x-1.0",
		"8.x-1.5-beta1",
		"1.5.1",
		"8.x-1.x-dev",
		"2.0.0-dev",
		"2.0.0-unstable1",
		"2.0.0-alpha1",
		"2.0.0-alpha2",
		"2.0.0-alpha10",
		"2.0.0-beta1",
		"2.0.0-rc1",
		"2.0.0-rc1+2-dev",
		"2.0.0-rc2",
		"2.0.0",
		"2.0.0+1-dev",
		"2.0.0+12-dev",
		"2.0.1",
		"2.0.x-dev",
		"2.1.0",
		"2.x-dev",
		"7.101",
		"8.0.0",
		"10.3.6",
		"10.10.0",
		"11.0.0-alpha1",
		"11.0.0",
	}
	vs := make([]Version, len(ordered))
	for i, s := range ordered {
		vs[i] = MustParse(s)
	}
	for i := range vs {
		for j := range vs {
			want := cmpInt(i, j)
			if got := Compare(vs[i], vs[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	shuffled := slices.Clone(vs)
	slices.Reverse(shuffled)
	slices.SortFunc(shuffled, Compare)
	if diff := cmp.Diff(vs, shuffled); diff != "" {
		t.Errorf("sorted mismatch (-want +got):\n%s", diff)
	}

	equal := [][2]string{
		{"8.x-1.13", "1.13.0"},
		{"dev-2.x", "2.x-dev"},
		{"8.x-2.0+3-dev", "2.0.0+3-dev"},
		{"3.0.0-RC1", "3.0.0-rc1"},
	}
	for _, p := range equal {
		if c := Compare(MustParse(p[0]), MustParse(p[1])); c != 0 {
			t.Errorf("Compare(%s, %s) = %d, want 0", p[0], p[1], c)
		}
	}
}

func TestVersion_InBranch(t *testing.T) {
	tests := []struct {
		version, branch string
		want            bool
	}{
		{"8.x-1.5", "8.x-1.", true},
		{"8.x-10.5", "8.x-1.", false},
		{"8.x-1.x-dev", "8.x-1.", true},
		{"10.3.6", "10.3.", true},
		{"10.3.6", "10.", true},
		{"10.3.6", "1.", false},
		{"3.1.0", "3.", true},
		{"3.x-dev", "3.1.", true},
		{"3.x-dev", "3.", true},
		{"30.x-dev", "3.", false},
		{"3.0.x-dev", "3.1.", false},
		{"3.1.1+4-dev", "3.1.", true},
		{"dev-feature", "", false},
		{"1.0.0", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.version+"@"+tt.branch, func(t *testing.T) {
			if got := MustParse(tt.version).InBranch(tt.branch); got != tt.want {
				t.Errorf("InBranch = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVersion_WithoutExtra(t *testing.T) {
	for in, want := range map[string]string{
		"8.x-1.1-beta1": "8.x-1.1",
		"8.2.0-rc2":     "8.2.0",
		"8.2.0":         "8.2.0",
		"8.1.0-dev":     "8.1.0",
		"8.x-1.x-dev":   "8.x-1.x-dev",
	} {
		if got := MustParse(in).WithoutExtra(); got != want {
			t.Errorf("WithoutExtra(%s) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"8.x-1.5", "7.x-2.0-beta3", "8.x-1.x-dev", "8.x-2.0+3-dev", "2.1.3", "3.0.0-rc1", "2.x-dev",
		"2.0.x-dev", "3.1.1+4-dev", "7.101", "10.3.6", "11.0.0-alpha1", "8.0.0-beta2", "dev-3.x",
		"dev-2.0.x", "dev-feature/x", "8.x-dev", "1.0-unstable2", "3.0.0-rc7+1-dev", "8.x-2.0-beta3+1-dev",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidVersion) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalidVersion", s, err)
			}
			return
		}
		str := v.String()
		w, err := Parse(str)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but Parse(String() = %q): %v", s, str, err)
		}
		if diff := cmp.Diff(v, w, cmpopts.IgnoreFields(Version{}, "Raw")); diff != "" {
			t.Fatalf("round trip %q -> %q mismatch (-first +second):\n%s", s, str, diff)
		}
		if w.String() != str {
			t.Fatalf("String() not stable: %q then %q", str, w.String())
		}
		if Compare(v, w) != 0 || Compare(v, v) != 0 {
			t.Fatalf("Compare(%q, %q) != 0", s, str)
		}
		_ = v.Branch()
		_ = v.InBranch(v.Branch())
		_ = v.WithoutExtra()
	})
}
