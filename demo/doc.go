// Package demo builds a realistic demo fleet: release histories for the
// projects real Drupal sites run, and a year in the life of each site —
// weekly inventory pushes, and patch runs when the team applies updates, some
// promptly, some late. It is pure simulation: cmd/fleetwatch feeds what it
// plans through the real ingest and analysis code, so that every status,
// exposure and SLA outcome of the demo is computed, not invented.
package demo
