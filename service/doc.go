// Package service holds Fleetwatch's business rules: who may see and do what,
// validation, and the orchestration of stores. It knows nothing of HTTP or SQL.
//
// Every method takes the request's context, which carries the fleetwatch.Actor
// (see fleetwatch.NewContextWithActor). Organization isolation is enforced here:
// an actor outside an organization gets ENOTFOUND for anything of it.
package service
