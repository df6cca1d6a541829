// Package packagist holds Fleetwatch's knowledge of the PHP libraries a
// Drupal site installs through Composer (packages whose ecosystem is
// Packagist), as pure functions: the security advisories of the GitHub
// Advisory Database (OSV, ecosystem Packagist) and of FriendsOfPHP's
// security-advisories (YAML), merged by CVE and GHSA id into one Set, with
// their severity mapped to Drupal's five risk levels; and the verdict on a
// library version: which advisories apply, at which severity, and the
// version that fixes each. Versions match as Composer matches them (package
// composerver).
//
// Drupal projects (drupal/*) are not libraries: their advisories are
// drupal.org's, read by package drupal.
package packagist
