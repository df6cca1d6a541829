// Package composerver implements Composer's version semantics (the
// composer/semver library PHP's Composer uses), as pure functions: version
// normalisation ("v1.2" is "1.2.0.0", "1.x-dev" is
// "1.9999999.9999999.9999999-dev"), version order (PHP's version_compare on
// normalised versions) and constraints ("^7.4.2 || ~6.5.0", ">=4,<6.5.8",
// "1.2.*", "1.0 - 2.0", "dev-main", stability flags, aliases).
//
// No Go library implements Composer's rules faithfully (the semver libraries
// follow npm's or SemVer 2.0's, which differ on "~", four-part versions,
// stability words such as "patch", and dev branches), so this is a port,
// checked against composer/semver's own test cases and fuzzed.
package composerver
