// Package fleetwatch is the domain of Fleetwatch, a platform that watches
// fleets of Drupal sites: the entities (organizations, users, sites, modules),
// the error type with its codes, and the contracts of the adapters (stores,
// queue, cache, pub/sub), each method with the error codes it returns. It
// imports the standard library only; adapters implement its interfaces, each
// service declares the part of them it uses, and service.New wires them.
package fleetwatch
