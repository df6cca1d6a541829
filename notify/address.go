package notify

import "net/netip"

// nonGlobal lists the ranges a webhook may not reach: every block of the
// IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its
// updates), whole, even where the registry marks a small part of a block
// as globally reachable (a few anycast services no webhook receiver runs
// on), plus multicast and the reserved and limited-broadcast space. NAT64
// prefixes and 6to4 are refused whole: the IPv4 address inside them may be
// a private one, reached through a translator.
var nonGlobal = func() []netip.Prefix {
	var ps []netip.Prefix
	for _, s := range []string{
		// IPv4
		"0.0.0.0/8",       // "this network" (RFC 791)
		"10.0.0.0/8",      // private use (RFC 1918)
		"100.64.0.0/10",   // shared address space, carrier-grade NAT (RFC 6598)
		"127.0.0.0/8",     // loopback (RFC 1122)
		"169.254.0.0/16",  // link-local, cloud metadata (RFC 3927)
		"172.16.0.0/12",   // private use (RFC 1918)
		"192.0.0.0/24",    // IETF protocol assignments (RFC 6890)
		"192.0.2.0/24",    // documentation, TEST-NET-1 (RFC 5737)
		"192.31.196.0/24", // AS112-v4 (RFC 7535)
		"192.52.193.0/24", // AMT (RFC 7450)
		"192.88.99.0/24",  // deprecated 6to4 relay anycast (RFC 7526)
		"192.168.0.0/16",  // private use (RFC 1918)
		"192.175.48.0/24", // direct delegation AS112 service (RFC 7534)
		"198.18.0.0/15",   // benchmarking (RFC 2544)
		"198.51.100.0/24", // documentation, TEST-NET-2 (RFC 5737)
		"203.0.113.0/24",  // documentation, TEST-NET-3 (RFC 5737)
		"224.0.0.0/4",     // multicast (RFC 5771)
		"240.0.0.0/4",     // reserved (RFC 1112), with 255.255.255.255/32, limited broadcast
		// IPv6. isGlobalUnicast refuses everything outside 2000::/3 as a
		// whole; the registry's blocks out there are listed too, for the
		// reader.
		"::/128",         // unspecified (RFC 4291)
		"::1/128",        // loopback (RFC 4291)
		"::/96",          // deprecated IPv4-compatible addresses (RFC 4291)
		"64:ff9b::/96",   // IPv4/IPv6 translation, NAT64 (RFC 6052)
		"64:ff9b:1::/48", // local-use IPv4/IPv6 translation (RFC 8215)
		"100::/64",       // discard-only (RFC 6666)
		"2001::/23",      // IETF protocol assignments: Teredo, benchmarking, ORCHID… (RFC 2928)
		"2001:db8::/32",  // documentation (RFC 3849)
		"2002::/16",      // 6to4 (RFC 3056)
		"3fff::/20",      // documentation (RFC 9637)
		"5f00::/16",      // segment routing SIDs (RFC 9602)
		"fc00::/7",       // unique local (RFC 4193)
		"fe80::/10",      // link-local (RFC 4291)
		"fec0::/10",      // deprecated site-local (RFC 3879)
		"ff00::/8",       // multicast (RFC 4291)
	} {
		ps = append(ps, netip.MustParsePrefix(s))
	}
	return ps
}()

// globalV6 is the IPv6 global unicast space (RFC 4291); IANA has allocated
// nothing else for unicast.
var globalV6 = netip.MustParsePrefix("2000::/3")

// isGlobalUnicast reports whether ip is a globally routable unicast
// address: the only kind a webhook may reach. An IPv4-mapped IPv6 address
// (::ffff:0:0/96) is judged by the IPv4 address it maps, which is the one
// the connection goes to.
func isGlobalUnicast(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.Zone() != "" {
		return false
	}
	if ip.Is6() && !globalV6.Contains(ip) {
		return false
	}
	for _, p := range nonGlobal {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
