// Package faults holds the fault matrix: tests, built only with the build
// tag faults (make test-faults), that run the real fleetwatch binary under
// an ingest load while the test breaks what it depends on — PostgreSQL cut
// off, Redis killed and restarted, one of two replicas SIGKILLed, SQLite's
// disk full — and then check that every push answered 202 was applied
// exactly once, that nothing else was stored, and that the answers given
// meanwhile were 503 or 507 with Retry-After.
//
// FAULTS_LOAD sets how long each load runs (default 20s).
package faults
