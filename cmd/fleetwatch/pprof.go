package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
)

// startPprof serves net/http/pprof while `serve` runs when
// FLEETWATCH_PPROF_ADDR (hidden, for profiling) names a loopback address
// such as 127.0.0.1:6060. Anything but a loopback address is refused:
// profiles expose the process's memory.
func startPprof() {
	addr := os.Getenv("FLEETWATCH_PPROF_ADDR")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "FLEETWATCH_PPROF_ADDR must be a loopback address such as 127.0.0.1:6060; pprof not started\n")
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() { _ = http.ListenAndServe(addr, mux) }()
}
