package composerver

import (
	"errors"
	"slices"
	"testing"
)

// The cases of this file are those of composer/semver's own tests
// (tests/VersionParserTest.php, tests/SemverTest.php), so that the port
// answers as Composer does.

func TestNormalize(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"none":                               {"1.0.0", "1.0.0.0"},
		"none/2":                             {"1.2.3.4", "1.2.3.4"},
		"parses state":                       {"1.0.0RC1dev", "1.0.0.0-RC1-dev"},
		"CI parsing":                         {"1.0.0-rC15-dev", "1.0.0.0-RC15-dev"},
		"delimiters":                         {"1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"},
		"RC uppercase":                       {"1.0.0-rc1", "1.0.0.0-RC1"},
		"patch replace":                      {"1.0.0.pl3-dev", "1.0.0.0-patch3-dev"},
		"forces w.x.y.z":                     {"1.0-dev", "1.0.0.0-dev"},
		"forces w.x.y.z/2":                   {"0", "0.0.0.0"},
		"parses long":                        {"10.4.13-beta", "10.4.13.0-beta"},
		"parses long/2":                      {"10.4.13beta2", "10.4.13.0-beta2"},
		"parses long/semver":                 {"10.4.13beta.2", "10.4.13.0-beta2"},
		"parses long/semver2":                {"v1.13.11-beta.0", "1.13.11.0-beta0"},
		"parses long/semver3":                {"1.13.11.0-beta0", "1.13.11.0-beta0"},
		"expand shorthand":                   {"10.4.13-b", "10.4.13.0-beta"},
		"expand shorthand/2":                 {"10.4.13-b5", "10.4.13.0-beta5"},
		"strips leading v":                   {"v1.0.0", "1.0.0.0"},
		"parses dates y-m as classical":      {"2010.01", "2010.01.0.0"},
		"parses dates w/ . as classical":     {"2010.01.02", "2010.01.02.0"},
		"parses dates y.m.Y as classical":    {"2010.1.555", "2010.1.555.0"},
		"parses dates y.m.Y/2 as classical":  {"2010.10.200", "2010.10.200.0"},
		"parses CalVer YYYYMMDD":             {"20230131.0.0", "20230131.0.0"},
		"parses CalVer YYYYMMDDhhmm":         {"202301310000.0.0", "202301310000.0.0"},
		"strips v/datetime":                  {"v20100102", "20100102"},
		"parses dates no delimiter":          {"20100102", "20100102"},
		"parses dates no delimiter/2":        {"20100102.0", "20100102.0"},
		"parses dates no delimiter/3":        {"20100102.1.0", "20100102.1.0"},
		"parses dates no delimiter/4":        {"20100102.0.3", "20100102.0.3"},
		"parses dates w/ - and .":            {"2010-01-02-10-20-30.0.3", "2010.01.02.10.20.30.0.3"},
		"parses dates w/ - and ./2":          {"2010-01-02-10-20-30.5", "2010.01.02.10.20.30.5"},
		"parses dates w/ -":                  {"2010-01-02", "2010.01.02"},
		"parses dates w/ .":                  {"2012.06.07", "2012.06.07.0"},
		"parses numbers":                     {"2010-01-02.5", "2010.01.02.5"},
		"parses datetime":                    {"20100102-203040", "20100102.203040"},
		"parses date dev":                    {"20100102.x-dev", "20100102.9999999.9999999.9999999-dev"},
		"parses datetime dev":                {"20100102.203040.x-dev", "20100102.203040.9999999.9999999-dev"},
		"parses dt+number":                   {"20100102203040-10", "20100102203040.10"},
		"parses dt+patch":                    {"20100102-203040-p1", "20100102.203040-patch1"},
		"parses dt Ym":                       {"201903.0", "201903.0"},
		"parses dt Ym dev":                   {"201903.x-dev", "201903.9999999.9999999.9999999-dev"},
		"parses dt Ym+patch":                 {"201903.0-p2", "201903.0-patch2"},
		"parses master":                      {"dev-master", "dev-master"},
		"parses master w/o dev":              {"master", "dev-master"},
		"parses trunk":                       {"dev-trunk", "dev-trunk"},
		"parses branches":                    {"1.x-dev", "1.9999999.9999999.9999999-dev"},
		"parses arbitrary":                   {"dev-feature-foo", "dev-feature-foo"},
		"parses arbitrary/2":                 {"DEV-FOOBAR", "dev-FOOBAR"},
		"parses arbitrary/3":                 {"dev-feature/foo", "dev-feature/foo"},
		"parses arbitrary/4":                 {"dev-feature+issue-1", "dev-feature+issue-1"},
		"ignores aliases":                    {"dev-master as 1.0.0", "dev-master"},
		"ignores aliases/2":                  {"dev-load-varnish-only-when-used as ^2.0", "dev-load-varnish-only-when-used"},
		"ignores aliases/3":                  {"dev-load-varnish-only-when-used@dev as ^2.0@dev", "dev-load-varnish-only-when-used"},
		"ignores stability":                  {"1.0.0+foo@dev", "1.0.0.0"},
		"ignores stability/2":                {"dev-load-varnish-only-when-used@stable", "dev-load-varnish-only-when-used"},
		"semver metadata/2":                  {"1.0.0-beta.5+foo", "1.0.0.0-beta5"},
		"semver metadata/3":                  {"1.0.0+foo", "1.0.0.0"},
		"semver metadata/4":                  {"1.0.0-alpha.3.1+foo", "1.0.0.0-alpha3.1"},
		"semver metadata/5":                  {"1.0.0-alpha2.1+foo", "1.0.0.0-alpha2.1"},
		"semver metadata/6":                  {"1.0.0-alpha-2.1-3+foo", "1.0.0.0-alpha2.1-3"},
		"metadata w/ alias":                  {"1.0.0+foo as 2.0", "1.0.0.0"},
		"keep zero-padding":                  {"00.01.03.04", "00.01.03.04"},
		"keep zero-padding/2":                {"000.001.003.004", "000.001.003.004"},
		"keep zero-padding/3":                {"0.000.103.204", "0.000.103.204"},
		"keep zero-padding/4":                {"0700", "0700.0.0.0"},
		"keep zero-padding/5":                {"041.x-dev", "041.9999999.9999999.9999999-dev"},
		"keep zero-padding/6":                {"dev-041.003", "dev-041.003"},
		"dev with mad name":                  {"dev-1.0.0-dev<1.0.5-dev", "dev-1.0.0-dev<1.0.5-dev"},
		"dev prefix with spaces":             {"dev-foo bar", "dev-foo bar"},
		"space padding":                      {" 1.0.0", "1.0.0.0"},
		"space padding/2":                    {"1.0.0 ", "1.0.0.0"},
		"lock: symfony v-prefix":             {"v4.4.34", "4.4.34.0"},
		"lock: open-telemetry 1.0.0beta5":    {"1.0.0beta5", "1.0.0.0-beta5"},
		"lock: numeric branch with v prefix": {"v2.0.x-dev", "2.0.9999999.9999999-dev"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Normalize(tc.in)
			if err != nil || got != tc.want {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormalize_Fails(t *testing.T) {
	for name, in := range map[string]string{
		"empty":                     "",
		"invalid chars":             "a",
		"invalid type":              "1.0.0-meh",
		"too many bits":             "1.0.0.0.0",
		"non-dev arbitrary":         "feature-foo",
		"metadata w/ space":         "1.0.0+foo bar",
		"maven style release":       "1.0.1-SNAPSHOT",
		"dev with less than":        "1.0.0<1.0.5-dev",
		"dev with less than/2":      "1.0.0-dev<1.0.5-dev",
		"dev suffix with spaces":    "foo bar-dev",
		"any with spaces":           "1.0 .2",
		"no version, no alias":      " as ",
		"no version, only alias":    " as 1.2",
		"just an operator":          "^",
		"just an operator/2":        "^8 || ^",
		"just an operator/3":        "~",
		"just an operator/4":        "~1 ~",
		"constraint":                "~1",
		"constraint/2":              "^1",
		"constraint/3":              "1.*",
		"date versions with 4 bits": "20100102.0.3.4",
		"lock: patch2 of a tag":     "v10.2.0-patch2x",
	} {
		t.Run(name, func(t *testing.T) {
			if got, err := Normalize(in); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Normalize(%q) = %q, %v; want ErrInvalid", in, got, err)
			}
		})
	}
}

func TestNormalizeBranch(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"v1.x", "1.9999999.9999999.9999999-dev"},
		{"v1.*", "1.9999999.9999999.9999999-dev"},
		{"v1.0", "1.0.9999999.9999999-dev"},
		{"2.0", "2.0.9999999.9999999-dev"},
		{"v1.0.x", "1.0.9999999.9999999-dev"},
		{"v1.0.3.*", "1.0.3.9999999-dev"},
		{"v2.4.0", "2.4.0.9999999-dev"},
		{"2.4.4", "2.4.4.9999999-dev"},
		{"master", "dev-master"},
		{"trunk", "dev-trunk"},
		{"feature-a", "dev-feature-a"},
		{"FOOBAR", "dev-FOOBAR"},
		{"feature+issue-1", "dev-feature+issue-1"},
	} {
		if got := NormalizeBranch(tc.in); got != tc.want {
			t.Errorf("NormalizeBranch(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestStability(t *testing.T) {
	for _, tc := range []struct{ want, in string }{
		{"stable", "1"}, {"stable", "1.0"}, {"stable", "3.2.1"}, {"stable", "v3.2.1"},
		{"dev", "v2.0.x-dev"}, {"dev", "v2.0.x-dev#abc123"}, {"dev", "v2.0.x-dev#trunk/@123"},
		{"RC", "3.0-RC2"}, {"dev", "dev-master"}, {"dev", "3.1.2-dev"}, {"dev", "dev-feature+issue-1"},
		{"stable", "3.1.2-p1"}, {"stable", "3.1.2-pl2"}, {"stable", "3.1.2-patch"},
		{"alpha", "3.1.2-alpha5"}, {"beta", "3.1.2-beta"}, {"beta", "2.0B1"}, {"alpha", "1.2.0a1"},
		{"alpha", "1.2_a1"}, {"RC", "2.0.0rc1"}, {"alpha", "1.0.0-alpha11+cs-1.1.0"}, {"dev", "1-2_dev"},
	} {
		if got := Stability(tc.in); got != tc.want {
			t.Errorf("Stability(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCompare_Sort is SemverTest's sortProvider: Semver::sort orders
// normalised versions with dev-master (the default branch) last and other
// named branches first.
func TestCompare_Sort(t *testing.T) {
	sortKey := func(s string) Version {
		v := MustParseVersion(s)
		if v.Normalized == "dev-master" {
			return MustParseVersion("9999999-dev")
		}
		return v
	}
	for _, tc := range []struct{ in, want []string }{
		{[]string{"1.0", "0.1", "0.1", "3.2.1", "2.4.0-alpha", "2.4.0"}, []string{"0.1", "0.1", "1.0", "2.4.0-alpha", "2.4.0", "3.2.1"}},
		{[]string{"dev-foo", "dev-master", "1.0", "50.2"}, []string{"dev-foo", "1.0", "50.2", "dev-master"}},
	} {
		got := slices.Clone(tc.in)
		slices.SortStableFunc(got, func(a, b string) int { return Compare(sortKey(a), sortKey(b)) })
		if !slices.Equal(got, tc.want) {
			t.Errorf("sorted %q = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCompare_VersionCompare checks orderings PHP's version_compare gives.
func TestCompare_VersionCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0.0", 0},
		{"1.0.0-dev", "1.0.0-alpha1", -1},
		{"1.0.0-alpha1", "1.0.0-beta1", -1},
		{"1.0.0-beta2", "1.0.0-RC1", -1},
		{"1.0.0-RC1", "1.0.0", -1},
		{"1.0.0", "1.0.0-patch1", -1},
		{"1.0.0-beta10", "1.0.0-beta9", 1},
		{"v4.4.34", "4.4.4", 1},
		{"7.4.5", "7.4.10", -1},
		{"2.x-dev", "2.99.0", 1},
		{"dev-main", "0.0.1", -1},
	} {
		if got := CompareStrings(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareStrings(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := CompareStrings(tc.b, tc.a); got != -tc.want {
			t.Errorf("CompareStrings(%q, %q) = %d, want %d", tc.b, tc.a, got, -tc.want)
		}
	}
}
