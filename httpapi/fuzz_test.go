package httpapi

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// FuzzParseTrustedProxies: --trusted-proxies is refused or gives masked
// prefixes that print back to a setting parsing to the same.
func FuzzParseTrustedProxies(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8, 192.168.1.1", "fd00::/8,::1", "10.0.0.1/8", "::ffff:10.0.0.1", "fe80::1%eth0", "nope", ",,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ParseTrustedProxies(s)
		if err != nil {
			if ps != nil {
				t.Fatal("prefixes with an error")
			}
			return
		}
		var strs []string
		for _, p := range ps {
			if p != p.Masked() || !p.IsValid() {
				t.Fatalf("%q gave %v, not a masked prefix", s, p)
			}
			strs = append(strs, p.String())
		}
		again, err := ParseTrustedProxies(strings.Join(strs, ","))
		if err != nil || !slices.Equal(again, ps) {
			t.Fatalf("%q gave %v, which reads back as %v, %v", s, ps, again, err)
		}
	})
}

// FuzzClientAddr: the client address of a request is its peer unless the
// peer is trusted, and then one of the forwarded hops; no trusted proxy
// means X-Forwarded-For is ignored.
func FuzzClientAddr(f *testing.F) {
	f.Add("10.0.0.2:4711", "203.0.113.7, 10.0.0.9", "10.0.0.0/8")
	f.Add("[::1]:80", "2001:db8::1, [2001:db8::2]:443", "::1")
	f.Add("10.0.0.2:4711", "garbage, 198.51.100.1", "10.0.0.0/8")
	f.Add("@", "1.2.3.4", "")
	f.Fuzz(func(t *testing.T, remote, xff, trustedS string) {
		trusted, err := ParseTrustedProxies(trustedS)
		if err != nil {
			return
		}
		got := clientAddr(remote, []string{xff}, trusted)
		if none := clientAddr(remote, []string{xff}, nil); none != clientAddr(remote, nil, nil) {
			t.Fatalf("with no trusted proxy, X-Forwarded-For %q changed the client to %q", xff, none)
		}
		host := remote
		if h, _, err := net.SplitHostPort(remote); err == nil {
			host = h
		}
		peer, err := netip.ParseAddr(host)
		if err != nil {
			if got != host {
				t.Fatalf("peer %q is not an address, yet the client is %q", remote, got)
			}
			return
		}
		peer = peer.Unmap().WithZone("")
		if !isTrusted(peer, trusted) {
			if got != peer.String() {
				t.Fatalf("untrusted peer %v, client %q", peer, got)
			}
			return
		}
		if got == peer.String() {
			return
		}
		for _, h := range strings.Split(xff, ",") {
			if a, ok := parseHop(h); ok && a.String() == got {
				return
			}
		}
		t.Fatalf("client %q is neither the peer %v nor a hop of %q", got, peer, xff)
	})
}
