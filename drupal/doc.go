// Package drupal holds Fleetwatch's knowledge of Drupal, as pure functions
// with no I/O: the drupal.org version model and its ordering, the
// release-history XML feed, the update status rules of Drupal core's Update
// Status module, and the parsers of what sites report about themselves
// (composer.lock and drush pm:list output).
//
// Parsers take an io.Reader and never read more than the caller lets them;
// callers pass an io.LimitReader for input from outside. Every parser
// returns an error wrapping one of this package's sentinels
// (ErrInvalidVersion, ErrInvalidFeed, ErrProjectNotFound,
// ErrNoDrupalPackages, ErrInvalidInventory) so callers can map them with
// errors.Is.
//
// Evaluate reproduces update_calculate_project_update_status() of Drupal
// core (UpdateCalculator in Drupal 11) over a parsed feed, using Drupal's own
// status vocabulary, and explains each decision in plain English.
package drupal
