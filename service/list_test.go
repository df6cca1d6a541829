package service

import (
	"strings"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/google/go-cmp/cmp"
)

func TestParseSort(t *testing.T) {
	allowed := []string{"name", "created_at"}
	def := fleetwatch.SortField{Field: "name"}
	for _, c := range []struct {
		in      string
		want    []fleetwatch.SortField
		invalid bool
	}{
		{in: "", want: []fleetwatch.SortField{def}},
		{in: "name", want: []fleetwatch.SortField{{Field: "name"}}},
		{in: "-created_at, name", want: []fleetwatch.SortField{{Field: "created_at", Desc: true}, {Field: "name"}}},
		{in: "password", invalid: true},
		{in: "name,-name", invalid: true},
		{in: "name;DROP TABLE users", invalid: true},
		{in: ",", invalid: true},
	} {
		got, err := ParseSort(c.in, allowed, def)
		if c.invalid {
			if fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
				t.Errorf("ParseSort(%q) error %v, want EINVALID", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSort(%q): %v", c.in, err)
		} else if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("ParseSort(%q) (-want +got):\n%s", c.in, diff)
		}
	}
}

func TestListOptions_ReportsEveryBadParameter(t *testing.T) {
	_, err := ListOptions(0, 501, "nope", string(make([]byte, 201)), []string{"name"})
	var fe *fleetwatch.Error
	if e, ok := err.(*fleetwatch.Error); ok {
		fe = e
	}
	if fe == nil || len(fe.Fields) != 4 {
		t.Fatalf("got %v, want 4 invalid parameters", err)
	}
}

func TestValidation(t *testing.T) {
	for _, c := range []struct {
		email string
		ok    bool
	}{
		{"ops@example.com", true},
		{"Ops.Team+fw@sub.example.org", true},
		{"not-an-email", false},
		{"Ops <ops@example.com>", false},
		{"ops@localhost", false},
		{"", false},
		{"jörg@example.de", true},
	} {
		var v fleetwatch.Validation
		checkEmail(&v, "/email", c.email)
		if (v.Err() == nil) != c.ok {
			t.Errorf("checkEmail(%q) ok=%v, want %v", c.email, v.Err() == nil, c.ok)
		}
	}
	// Addresses that look like another: control and invisible characters.
	for _, email := range []string{
		"ops\u200b@example.com",     // zero-width space
		"ops@exam\u200dple.com",     // zero-width joiner
		"\u202eops@example.com",     // right-to-left override
		"ops\u2066@example.com",     // left-to-right isolate
		"\ufeffops@example.com",     // byte order mark
		"ops@exa\u00admple.com",     // soft hyphen
		"ops\u00a0x@example.com",    // no-break space
		"ops\u3164@example.com",     // Hangul filler
		"ops\ufe0f@example.com",     // variation selector
		"ops\x7f@example.com",       // DEL
		"ops\u2028@example.com",     // line separator
		"ops\U000e0041@example.com", // tag character
	} {
		var v fleetwatch.Validation
		checkEmail(&v, "/email", email)
		if err := v.Err(); err == nil || !strings.Contains(fleetwatch.ErrorMessage(err), "invisible") || v.Fields[0].Pointer != "/email" {
			t.Errorf("checkEmail(%+q) = %v, want an error naming invisible characters", email, err)
		}
	}
	for _, c := range []struct {
		url, want string
		ok        bool
	}{
		{"https://www.example.org/", "https://www.example.org", true},
		{"http://intranet.example:8080/drupal", "http://intranet.example:8080/drupal", true},
		{"ftp://example.org", "", false},
		{"javascript:alert(1)", "", false},
		{"https://user:pw@example.org", "", false},
		{"example.org", "", false},
	} {
		var v fleetwatch.Validation
		got := checkSiteURL(&v, "/url", c.url)
		if (v.Err() == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("checkSiteURL(%q) = %q ok=%v", c.url, got, v.Err() == nil)
		}
	}
	var v fleetwatch.Validation
	checkText(&v, "/name", "name", "bad\x00name", true, 200)
	checkText(&v, "/name", "name", "   ", true, 200)
	if len(v.Fields) != 2 {
		t.Errorf("control characters and blanks: %v", v.Fields)
	}
}
