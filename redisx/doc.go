// Package redisx holds the Redis adapters of Fleetwatch's queue interfaces.
// Redis carries signals only: the database stays the record, so losing
// Redis delays work and loses nothing.
package redisx
