// Package httpapi is Fleetwatch's REST API: huma operations per resource,
// the response envelope, the error shape, authentication middleware, and the
// health, readiness and metrics endpoints. Handlers are thin: decode, call a
// service, map the answer.
package httpapi
