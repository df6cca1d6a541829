// Package fleetwatch is the domain of Fleetwatch, a platform that watches
// fleets of Drupal sites: the entities (organizations, users, sites, modules),
// the error type with its codes, and the interfaces that the services need
// from their adapters (stores, queue, cache, pub/sub). It imports the standard
// library only; adapters implement its interfaces and cmd/fleetwatch wires them.
package fleetwatch
