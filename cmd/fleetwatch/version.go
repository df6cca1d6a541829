package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

func versionString() string {
	rev, when, dirty := "unknown", "", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = " " + s.Value
			case "vcs.modified":
				if s.Value == "true" {
					dirty = "+dirty"
				}
			}
		}
	}
	return fmt.Sprintf("fleetwatch %s (commit %s%s%s, %s, %s/%s)", version, rev, dirty, when, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
