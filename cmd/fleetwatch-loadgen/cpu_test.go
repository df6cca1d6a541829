package main

import (
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A command name may hold spaces and parentheses: the fields start after
	// the last ')'.
	line := "4242 (postgres: a (b)) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 1 0 123 1000 10 0\n"
	st, comm, ppid, err := parseStat("4242", line)
	if err != nil {
		t.Fatal(err)
	}
	if comm != "postgres: a (b)" || ppid != "17" {
		t.Errorf("comm, ppid = %q, %q; want \"postgres: a (b)\", \"17\"", comm, ppid)
	}
	if st.own != 3 || st.children != 0.1 {
		t.Errorf("times = %+v; want own 3 s (250+50 ticks), children 0.1 s (7+3 ticks)", st)
	}
	for _, bad := range []string{"", "4242 postgres S 1", "4242 (postgres) S 17 1 2 3", "4242 (x) S 1 2 3 4 5 6 7 8 9 10 u s 0 0 0"} {
		if _, _, _, err := parseStat("4242", bad); err == nil {
			t.Errorf("parseStat(%q): no error", bad)
		}
	}
}

func TestSumPostgres(t *testing.T) {
	// A postmaster (parent 1) whose reaped backends spent 5 s, two live
	// backends, and a second cluster's postmaster: the backends' reaped
	// children (a parallel worker's, say) are not counted twice.
	stats := map[string]procTimes{
		"100": {own: 1, children: 5},
		"101": {own: 2, children: 0.5},
		"102": {own: 3},
		"200": {own: 0.25, children: 0.75},
	}
	parents := map[string]string{"100": "1", "101": "100", "102": "100", "200": "1"}
	if got, want := sumPostgres(stats, parents), 1+5+2+3+0.25+0.75; got != want {
		t.Errorf("sumPostgres = %v, want %v", got, want)
	}
}

func TestReadCPU_CountsWork(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	before := readCPU(os.Getpid())
	if !before.ok {
		t.Fatal("readCPU of this process: not ok")
	}
	// Spend CPU until the kernel has accounted at least two ticks of it.
	deadline := time.Now().Add(20 * time.Second)
	x := 0
	for readCPU(os.Getpid()).loadgen-before.loadgen < 2.0/clockTicks {
		for i := range 1_000_000 {
			x += i
		}
		if time.Now().After(deadline) {
			t.Fatal("no CPU time accounted to this process after 20 s of work")
		}
	}
	after := readCPU(os.Getpid())
	// This process is both "server" and generator here: 1 inventory, at
	// least 20 ms each.
	got := perInventory(before, after, 1, false)
	if !strings.HasPrefix(got, "server ") || strings.HasPrefix(got, "server 0.00 ms") || !strings.Contains(got, "load generator ") {
		t.Errorf("perInventory = %q (x %d)", got, x)
	}
	if got := perInventory(cpuTimes{}, after, 1, true); got != "unknown (needs Linux's /proc)" {
		t.Errorf("perInventory without a first reading = %q", got)
	}
}
