package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// clockTicks is the unit of the CPU times in /proc/<pid>/stat: USER_HZ,
// 100 on every Linux architecture Go supports.
const clockTicks = 100

// cpuTimes are CPU seconds spent so far by the server, by the load
// generator itself, and by the PostgreSQL processes of this machine.
type cpuTimes struct {
	server, loadgen, postgres float64
	ok, postgresOK            bool
}

// readCPU reads cpuTimes from /proc (Linux; ok is false elsewhere).
// PostgreSQL's share is every process named postgres (its backends and
// helpers keep that name whatever their title says), plus what the
// postmaster's children that have exited had spent (its cutime and
// cstime), so that a backend that ends between two readings still counts:
// the difference of two readings is what PostgreSQL spent between them,
// whichever backends did the work.
func readCPU(serverPID int) cpuTimes {
	var t cpuTimes
	srv, _, _, err := procStat(strconv.Itoa(serverPID))
	if err != nil {
		return t
	}
	self, _, _, err := procStat("self")
	if err != nil {
		return t
	}
	t.server, t.loadgen, t.ok = srv.own, self.own, true
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	stats := map[string]procTimes{} // of the postgres processes, by pid
	parents := map[string]string{}
	for _, d := range dirs {
		pid := filepath.Base(d)
		st, comm, ppid, err := procStat(pid)
		if err != nil || comm != "postgres" {
			continue
		}
		stats[pid], parents[pid] = st, ppid
	}
	t.postgres, t.postgresOK = sumPostgres(stats, parents), len(stats) > 0
	return t
}

// sumPostgres adds up the CPU seconds of the postgres processes (by pid,
// with their parents' pids): each one's own, and for a postmaster (whose
// parent is not one of them) those of its children it has reaped.
func sumPostgres(stats map[string]procTimes, parents map[string]string) float64 {
	var sum float64
	for pid, st := range stats {
		sum += st.own
		if _, child := stats[parents[pid]]; !child {
			sum += st.children
		}
	}
	return sum
}

// procTimes are a process's own CPU seconds and those of its children it
// has waited for.
type procTimes struct{ own, children float64 }

// procStat reads /proc/<pid>/stat: the CPU times, the command name and the
// parent's pid.
func procStat(pid string) (procTimes, string, string, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return procTimes{}, "", "", err
	}
	return parseStat(pid, string(b))
}

// parseStat parses the content s of /proc/<pid>/stat.
func parseStat(pid, s string) (procTimes, string, string, error) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procTimes{}, "", "", fmt.Errorf("/proc/%s/stat: unexpected format", pid)
	}
	// After the name: state, ppid, …; utime, stime, cutime and cstime are
	// fields 14–17 of the line, 11–14 of what follows the name.
	f := strings.Fields(s[end+1:])
	if len(f) < 15 {
		return procTimes{}, "", "", fmt.Errorf("/proc/%s/stat: unexpected format", pid)
	}
	var v [4]float64
	for i := range v {
		n, err := strconv.ParseFloat(f[11+i], 64)
		if err != nil {
			return procTimes{}, "", "", fmt.Errorf("/proc/%s/stat: %w", pid, err)
		}
		v[i] = n / clockTicks
	}
	return procTimes{own: v[0] + v[1], children: v[2] + v[3]}, s[open+1 : end], f[1], nil
}

// perInventory says how much CPU each part spent per processed inventory
// between two readings, in milliseconds.
func perInventory(from, to cpuTimes, processed int, postgres bool) string {
	if !from.ok || !to.ok {
		return "unknown (needs Linux's /proc)"
	}
	if processed == 0 {
		return "unknown (nothing processed)"
	}
	ms := func(a, b float64) string { return fmt.Sprintf("%.2f ms", 1000*(b-a)/float64(processed)) }
	out := "server " + ms(from.server, to.server)
	if postgres {
		if from.postgresOK && to.postgresOK {
			out += ", PostgreSQL " + ms(from.postgres, to.postgres) + " (its processes on this machine)"
		} else {
			out += ", PostgreSQL unknown (not on this machine)"
		}
	}
	return out + ", load generator " + ms(from.loadgen, to.loadgen)
}
