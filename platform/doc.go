// Package platform judges the platforms under a Drupal site, PHP and Drupal
// core, against their published end of life: "PHP 8.1 — security support
// ended 2025-12-31". The release cycles and their dates come from a small
// data set Fleetwatch ships (endoflife.date's product pages, embedded) and
// can refresh from a URL in either of endoflife.date's formats (the
// product page, or its API's JSON). For Drupal core, drupal.org's
// release-history feed (its supported branches) has the last word on
// whether a branch is still supported.
package platform
