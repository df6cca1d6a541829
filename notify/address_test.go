package notify

import (
	"errors"
	"net/netip"
	"testing"
)

// TestIsGlobalUnicast walks every refused range on both sides of its
// boundaries: the first and last address inside it are refused, the
// addresses just outside it (when they are public) are allowed.
func TestIsGlobalUnicast(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		global bool
	}{
		// 0.0.0.0/8
		{"0.0.0.0", false}, {"0.255.255.255", false}, {"1.0.0.0", true},
		// 10.0.0.0/8
		{"9.255.255.255", true}, {"10.0.0.0", false}, {"10.255.255.255", false}, {"11.0.0.0", true},
		// 100.64.0.0/10
		{"100.63.255.255", true}, {"100.64.0.0", false}, {"100.127.255.255", false}, {"100.128.0.0", true},
		// 127.0.0.0/8
		{"126.255.255.255", true}, {"127.0.0.0", false}, {"127.0.0.1", false}, {"127.255.255.255", false}, {"128.0.0.0", true},
		// 169.254.0.0/16
		{"169.253.255.255", true}, {"169.254.0.0", false}, {"169.254.169.254", false}, {"169.254.255.255", false}, {"169.255.0.0", true},
		// 172.16.0.0/12
		{"172.15.255.255", true}, {"172.16.0.0", false}, {"172.31.255.255", false}, {"172.32.0.0", true},
		// 192.0.0.0/24 and 192.0.2.0/24
		{"191.255.255.255", true}, {"192.0.0.0", false}, {"192.0.0.9", false}, {"192.0.0.255", false}, {"192.0.1.0", true},
		{"192.0.1.255", true}, {"192.0.2.0", false}, {"192.0.2.255", false}, {"192.0.3.0", true},
		// 192.31.196.0/24, 192.52.193.0/24
		{"192.31.195.255", true}, {"192.31.196.0", false}, {"192.31.196.255", false}, {"192.31.197.0", true},
		{"192.52.192.255", true}, {"192.52.193.0", false}, {"192.52.193.255", false}, {"192.52.194.0", true},
		// 192.88.99.0/24
		{"192.88.98.255", true}, {"192.88.99.0", false}, {"192.88.99.255", false}, {"192.88.100.0", true},
		// 192.168.0.0/16
		{"192.167.255.255", true}, {"192.168.0.0", false}, {"192.168.255.255", false}, {"192.169.0.0", true},
		// 192.175.48.0/24
		{"192.175.47.255", true}, {"192.175.48.0", false}, {"192.175.48.255", false}, {"192.175.49.0", true},
		// 198.18.0.0/15
		{"198.17.255.255", true}, {"198.18.0.0", false}, {"198.19.255.255", false}, {"198.20.0.0", true},
		// 198.51.100.0/24
		{"198.51.99.255", true}, {"198.51.100.0", false}, {"198.51.100.255", false}, {"198.51.101.0", true},
		// 203.0.113.0/24
		{"203.0.112.255", true}, {"203.0.113.0", false}, {"203.0.113.255", false}, {"203.0.114.0", true},
		// 224.0.0.0/4, 240.0.0.0/4, 255.255.255.255
		{"223.255.255.255", true}, {"224.0.0.0", false}, {"239.255.255.255", false},
		{"240.0.0.0", false}, {"255.255.255.254", false}, {"255.255.255.255", false},
		// Ordinary public IPv4.
		{"8.8.8.8", true}, {"93.184.216.34", true},

		// IPv6: outside 2000::/3 nothing is global.
		{"::", false}, {"::1", false}, {"::2", false}, {"::a00:1", false}, {"::808:808", false},
		{"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false}, {"4000::", false},
		// ::ffff:0:0/96 is judged by the IPv4 address it maps.
		{"::ffff:127.0.0.1", false}, {"::ffff:10.1.2.3", false}, {"::ffff:169.254.169.254", false},
		{"::ffff:0.0.0.0", false}, {"::ffff:8.8.8.8", true},
		// 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64)
		{"64:ff9b::", false}, {"64:ff9b::7f00:1", false}, {"64:ff9b::808:808", false}, {"64:ff9b::ffff:ffff", false},
		{"64:ff9b:1::", false}, {"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", false},
		// 100::/64
		{"100::", false}, {"100::ffff:ffff:ffff:ffff", false},
		// 2001::/23, 2001:db8::/32, 2002::/16
		{"2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true}, {"2001::", false}, {"2001:1::1", false},
		{"2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", false}, {"2001:200::", true},
		{"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", true}, {"2001:db8::", false},
		{"2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", false}, {"2001:db9::", true},
		{"2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true}, {"2002::", false},
		{"2002:c0a8:101::1", false}, {"2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false}, {"2003::", true},
		// 3fff::/20, 5f00::/16
		{"3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true}, {"3fff::", false}, {"3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"3fff:1000::", true}, {"5f00::", false},
		// fc00::/7, fe80::/10, fec0::/10, ff00::/8
		{"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false}, {"fc00::", false}, {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		{"fe80::", false}, {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false}, {"fec0::", false},
		{"ff00::", false}, {"ff02::1", false}, {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false},
		// Ordinary public IPv6.
		{"2606:4700:4700::1111", true}, {"2a00:1450:4001:80b::200e", true}, {"3ffe::", true},
	} {
		ip := netip.MustParseAddr(tc.addr)
		if got := isGlobalUnicast(ip); got != tc.global {
			t.Errorf("isGlobalUnicast(%s) = %v, want %v", tc.addr, got, tc.global)
		}
		// The dialer's check says the same of the address with a port.
		err := publicOnly("tcp", netip.AddrPortFrom(ip, 443).String(), nil)
		if (err == nil) != tc.global || err != nil && !errors.Is(err, ErrPrivateAddress) {
			t.Errorf("publicOnly(%s) = %v", tc.addr, err)
		}
	}
}

// TestIsGlobalUnicast_Zone refuses a scoped address whatever its prefix.
func TestIsGlobalUnicast_Zone(t *testing.T) {
	if isGlobalUnicast(netip.MustParseAddr("2606:4700:4700::1111%eth0")) {
		t.Error("a zoned address counts as global")
	}
}
