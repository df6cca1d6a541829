package main

import (
	"net/http"

	"github.com/fleetwatch/fleetwatch/webui"
)

// dashboardHandler serves what lies outside the API: the React dashboard
// embedded by package webui (or, in a binary built without Node, a page
// saying how to build it). httpapi never hands it /api paths.
func dashboardHandler() http.Handler {
	return webui.Handler()
}
