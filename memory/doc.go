// Package memory holds the in-process adapters of Fleetwatch's queue
// interfaces, used when no Redis is configured: they behave the same on
// one node.
package memory
