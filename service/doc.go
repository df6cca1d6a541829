// Package service holds Fleetwatch's business rules: who may see and do what,
// validation, and the orchestration of stores. It knows nothing of HTTP or SQL.
//
// Every method takes the request's context, which carries the fleetwatch.Actor
// (see fleetwatch.NewContextWithActor). Organization isolation is enforced here:
// an actor outside an organization gets ENOTFOUND for anything of it.
//
// Each service declares the store port it uses beside it (SitesStore,
// AuthStore, …): the few methods it calls, not the whole database. New wires
// every service from one Deps; the server, the demo loader and the HTTP
// tests all build their services with it. servicetest holds in-memory
// doubles of the ports for the tests whose rule needs no database.
package service
