package servicetest_test

import (
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/service/servicetest"
)

// The store is a double of these ports.
var (
	_ service.AuthStore     = (*servicetest.Store)(nil)
	_ service.ActivityStore = (*servicetest.Store)(nil)
	_ service.SLAStore      = (*servicetest.Store)(nil)
	_ service.NotifierStore = (*servicetest.Store)(nil)
	_ service.EventsStore   = (*servicetest.Store)(nil)
)
