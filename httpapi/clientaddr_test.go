package httpapi

import (
	"strings"
	"testing"
)

func TestClientAddr(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7, fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		peer    string
		xff     []string
		trusted bool // use the trusted list; otherwise none is trusted
		want    string
	}{
		{"no setting ignores the header", "10.1.2.3:5000", []string{"203.0.113.9"}, false, "10.1.2.3"},
		{"untrusted peer spoofing is ignored", "198.51.100.4:5000", []string{"203.0.113.9"}, true, "198.51.100.4"},
		{"untrusted peer spoofing a trusted hop", "198.51.100.4:5000", []string{"10.0.0.1"}, true, "198.51.100.4"},
		{"trusted peer without the header", "10.1.2.3:5000", nil, true, "10.1.2.3"},
		{"one hop", "10.1.2.3:5000", []string{"203.0.113.9"}, true, "203.0.113.9"},
		{"right-most untrusted wins over a spoofed left part", "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9"}, true, "203.0.113.9"},
		{"walks past trusted hops", "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9, 192.0.2.7, 10.9.9.9"}, true, "203.0.113.9"},
		{"several headers form one list", "10.1.2.3:5000", []string{"1.1.1.1", "203.0.113.9, 10.2.2.2"}, true, "203.0.113.9"},
		{"every hop trusted: the left-most", "10.1.2.3:5000", []string{"10.5.5.5, 10.6.6.6"}, true, "10.5.5.5"},
		{"IPv6 peer and client", "[fd00::1]:5000", []string{"2001:db8::42"}, true, "2001:db8::42"},
		{"IPv6 client with port", "10.1.2.3:5000", []string{"[2001:db8::42]:4711"}, true, "2001:db8::42"},
		{"IPv4 client with port", "10.1.2.3:5000", []string{"203.0.113.9:4711"}, true, "203.0.113.9"},
		{"IPv4-mapped peer is trusted as IPv4", "[::ffff:10.1.2.3]:5000", []string{"::ffff:203.0.113.9"}, true, "203.0.113.9"},
		{"untrusted IPv6 peer", "[2001:db8::1]:5000", []string{"203.0.113.9"}, true, "2001:db8::1"},
		{"malformed right-most: the peer", "10.1.2.3:5000", []string{"1.1.1.1, not-an-ip"}, true, "10.1.2.3"},
		{"malformed after a trusted hop: that hop", "10.1.2.3:5000", []string{"garbage, 10.4.4.4"}, true, "10.4.4.4"},
		{"empty entries are malformed", "10.1.2.3:5000", []string{", "}, true, "10.1.2.3"},
		{"zone is malformed", "10.1.2.3:5000", []string{"fe80::1%eth0"}, true, "10.1.2.3"},
		{"unknown as a hop", "10.1.2.3:5000", []string{"unknown"}, true, "10.1.2.3"},
		{"peer without a port", "203.0.113.50", nil, true, "203.0.113.50"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list := trusted
			if !tc.trusted {
				list = nil
			}
			if got := clientAddr(tc.peer, tc.xff, list); got != tc.want {
				t.Errorf("clientAddr(%q, %q) = %q, want %q", tc.peer, tc.xff, got, tc.want)
			}
		})
	}
}

func TestClientAddr_ManyHopsAreBounded(t *testing.T) {
	trusted, _ := ParseTrustedProxies("10.0.0.0/8")
	hops := strings.Repeat("10.0.0.1,", 100) + "10.0.0.2"
	if got := clientAddr("10.1.2.3:5000", []string{"203.0.113.9," + hops}, trusted); got == "203.0.113.9" {
		t.Errorf("walked past %d hops", maxForwardedHops)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, ok := range []string{"", " ", "10.0.0.0/8", "10.0.0.0/8,fd00::/8", "127.0.0.1, ::1", "10.1.2.3/8"} {
		if _, err := ParseTrustedProxies(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "10.0.0.0/8,nope", "fe80::1%eth0", "1.2.3"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	p, _ := ParseTrustedProxies("10.1.2.3/8")
	if p[0].String() != "10.0.0.0/8" {
		t.Errorf("prefix not masked: %s", p[0])
	}
}
