// Command fleetwatch-loadgen measures the ingest path end to end: it starts
// a `fleetwatch serve` on the given database, registers N sites with keys,
// has them push realistic inventories (150–200 projects) over HTTP for a
// while, and reports accepted/s, processed/s (until the workers applied
// everything), p50/p99 accept latency, the server's peak RSS, and the CPU
// time the server, PostgreSQL and the generator spent per inventory.
//
//	go build -o bin/fleetwatch ./cmd/fleetwatch
//	go run ./cmd/fleetwatch-loadgen --bin bin/fleetwatch --database-url postgres://… --mode unchanged
package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// rampUp is how long the load runs, unmeasured, before the measured run.
const rampUp = 5 * time.Second

func main() {
	bin := flag.String("bin", "bin/fleetwatch", "the fleetwatch binary")
	dbURL := flag.String("database-url", "", "database of the server (a fresh one: it is filled with sites)")
	sites := flag.Int("sites", 200, "simulated sites")
	conc := flag.Int("concurrency", 32, "pushes in flight (closed loop: each finished push starts the next)")
	rate := flag.Int("rate", 0, "open loop: start this many pushes per second on a fixed schedule, whatever the answers (latency is counted from the scheduled start); 0: closed loop with --concurrency")
	dur := flag.Duration("duration", 60*time.Second, "how long to push")
	mode := flag.String("mode", "unchanged", "unchanged: inventories repeat; changed: every version changes each push")
	libraries := flag.Int("libraries", 0, "PHP libraries (composer vendor/package names) in each inventory besides its Drupal projects, as a composer.lock holds 150-300; they change with the mode as the projects do")
	redisURL := flag.String("redis-url", "", "passed to the server")
	vacuum := flag.Duration("vacuum-interval", 15*time.Second, "PostgreSQL only: run VACUUM ANALYZE of the ingest tables this often while pushing, as autovacuum would (0: never; for servers with autovacuum off)")
	flag.Parse()
	if *dbURL == "" || (*mode != "unchanged" && *mode != "changed") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*bin, *dbURL, *redisURL, *sites, *conc, *rate, *dur, *mode, *libraries, *vacuum); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type api struct {
	url    string
	client *http.Client
}

func (a *api) call(method, path, token string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if b, ok := body.([]byte); ok {
		rd = bytes.NewReader(b)
	} else if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out, nil
}

func (a *api) data(method, path, token string, body any) (map[string]any, error) {
	st, out, err := a.call(method, path, token, body)
	if err != nil {
		return nil, err
	}
	if st >= 300 {
		return nil, fmt.Errorf("%s %s: %d %v", method, path, st, out)
	}
	d, _ := out["data"].(map[string]any)
	return d, nil
}

func run(bin, dbURL, redisURL string, nSites, conc, rate int, dur time.Duration, mode string, nLibraries int, vacuumEvery time.Duration) error {
	feeds := newFeedServer()
	defer feeds.Close()
	env := append(os.Environ(), "FLEETWATCH_DATABASE_URL="+dbURL, "FLEETWATCH_SECRET_KEY=loadgen-secret-key-loadgen-secret-key-01",
		"FLEETWATCH_BCRYPT_COST=4", "FLEETWATCH_LOG_LEVEL=warn", "FLEETWATCH_REDIS_URL="+redisURL,
		"FLEETWATCH_RELEASE_FEED_URL="+feeds.URL+"/release-history", "FLEETWATCH_ADVISORY_URL="+feeds.URL+"/advisories")
	cmd := exec.Command(bin, "users", "create", "--email", "bench@example.com", "--password", "bench-password-1", "--role", "admin")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("users create: %v: %s", err, out)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	srv := exec.Command(bin, "serve", "--addr", addr)
	srv.Env = env
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Signal(os.Interrupt); _ = srv.Wait() }()
	a := &api{url: "http://" + addr, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: max(conc*2, 512)}, Timeout: 30 * time.Second}}
	for i := 0; ; i++ {
		if res, err := http.Get(a.url + "/healthz"); err == nil {
			res.Body.Close()
			break
		} else if i > 300 {
			return fmt.Errorf("server did not start")
		}
		time.Sleep(50 * time.Millisecond)
	}
	login, err := a.data("POST", "/api/v1/auth/login", "", map[string]any{"email": "bench@example.com", "password": "bench-password-1"})
	if err != nil {
		return err
	}
	admin := login["access_token"].(string)
	org, err := a.data("POST", "/api/v1/organizations", admin, map[string]any{"name": "Bench"})
	if err != nil {
		return err
	}
	catalog := make([]string, 400)
	for i := range catalog {
		catalog[i] = fmt.Sprintf("project_%03d", i)
	}
	type site struct {
		key      string
		projects []string
		offset   int
		pushes   int
		mu       sync.Mutex
	}
	ss := make([]*site, nSites)
	for i := range ss {
		s, err := a.data("POST", "/api/v1/sites", admin, map[string]any{"name": fmt.Sprint("site-", i), "url": fmt.Sprintf("https://site-%d.example", i), "organization_id": org["id"]})
		if err != nil {
			return err
		}
		k, err := a.data("POST", "/api/v1/sites/"+s["id"].(string)+"/api-keys", admin, map[string]any{"name": "bench"})
		if err != nil {
			return err
		}
		r := rand.New(rand.NewPCG(uint64(i), 1))
		n := 150 + r.IntN(51)
		perm := r.Perm(len(catalog))[:n]
		ps := make([]string, n)
		for j, p := range perm {
			ps[j] = catalog[p]
		}
		ss[i] = &site{key: k["key"].(string), projects: ps, offset: i}
	}
	fmt.Printf("mode=%s sites=%d libraries=%d concurrency=%d rate=%d duration=%s database=%s\n", mode, nSites, nLibraries, conc, rate, dur, strings.SplitN(dbURL, ":", 2)[0])

	// payload writes the inventory by hand: the generator shares the
	// server's 2 cores, and encoding/json of maps would cost it more CPU
	// than the server spends accepting the push.
	libNames := make([]string, nLibraries)
	for i := range libNames {
		libNames[i] = fmt.Sprintf("vendor%02d/library-%03d", i%40, i)
	}
	payload := func(s *site, push int) []byte {
		b := make([]byte, 0, 80*(len(s.projects)+nLibraries)+256)
		b = append(b, `{"collected_at":"`...)
		b = time.Now().UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","drupal":{"core_version":"10.3.6","php_version":"8.3.1"},"modules":[{"name":"drupal","type":"core","version":"10.3.6"}`...)
		// A real fleet's versions come from a finite set of releases: each
		// project (and library) has releaseCount; "changed" moves every one
		// to its next release on each push.
		n := s.offset
		if mode == "changed" {
			n += push
		}
		for _, p := range s.projects {
			b = append(b, `,{"name":"`...)
			b = append(b, p...)
			b = append(b, `","type":"module","version":"`...)
			b = append(b, releaseVersion(p, n)...)
			b = append(b, `","enabled":true}`...)
		}
		b = append(b, ']')
		if nLibraries > 0 {
			b = append(b, `,"libraries":[`...)
			for i := range nLibraries {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"name":"`...)
				b = append(b, libNames[i]...)
				b = append(b, `","version":"`...)
				b = append(b, releaseVersion(libNames[i], n)...)
				b = append(b, `"}`...)
			}
			b = append(b, ']')
		}
		return append(b, '}')
	}

	count := func(status string) int {
		_, out, err := a.call("GET", "/api/v1/audit-logs?per_page=1&status="+status, admin, nil)
		if err != nil || out["meta"] == nil {
			return -1
		}
		return int(out["meta"].(map[string]any)["total"].(float64))
	}
	drain := func() error {
		drainUntil := time.Now().Add(10 * time.Minute)
		for {
			q, p := count("queued"), count("processing")
			if q < 0 || p < 0 {
				return fmt.Errorf("the server stopped answering while draining the queue")
			}
			if q == 0 && p == 0 {
				return nil
			}
			if time.Now().After(drainUntil) {
				return fmt.Errorf("the queue did not drain in 10 minutes: %d queued, %d processing", q, p)
			}
			// Not more often: each look counts the audit log, which costs
			// the database as much as a fair share of the workers' writes.
			time.Sleep(500 * time.Millisecond)
		}
	}
	// Warm-up, not measured: each site pushes its first inventory, and the
	// server fetches the release feed of every project (its first-fetch
	// storm of a new fleet, which re-judges every site per project), so
	// that the run measures a fleet in its steady state.
	projects := map[string]bool{"drupal": true}
	for _, s := range ss {
		if _, err := a.data("POST", "/api/v1/ingest/inventory", s.key, payload(s, 0)); err != nil {
			return fmt.Errorf("warm-up push: %w", err)
		}
		for _, p := range s.projects {
			projects[p] = true
		}
	}
	warmStart := time.Now()
	for feeds.served() < len(projects) {
		if time.Since(warmStart) > 5*time.Minute {
			return fmt.Errorf("warm-up: the server fetched %d of %d release feeds in 5 minutes", feeds.served(), len(projects))
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // the last recompute
	if err := drain(); err != nil {
		return err
	}
	warm := count("processed")
	fmt.Printf("warm-up    %d inventories, %d release feeds in %.1fs\n", warm, feeds.served(), time.Since(warmStart).Seconds())

	var (
		accepted, failed, dropped atomic.Int64
		latMu                     sync.Mutex
		lats                      []time.Duration
		slow                      = map[int]int{} // pushes over 25 ms by second of the run
		next                      atomic.Int64
		start                     time.Time
		measuring                 bool
	)
	// push sends the next site's inventory; its latency counts from t0, the
	// scheduled start in the open loop (so a backlog in the generator is
	// not hidden), the moment the request is sent in the closed loop.
	push := func(t0 time.Time) {
		s := ss[int(next.Add(1))%len(ss)]
		s.mu.Lock()
		s.pushes++
		body := payload(s, s.pushes)
		if t0.IsZero() {
			t0 = time.Now()
		}
		st, _, err := a.call("POST", "/api/v1/ingest/inventory", s.key, body)
		s.mu.Unlock()
		lat := time.Since(t0)
		latMu.Lock()
		defer latMu.Unlock()
		if !measuring {
			return
		}
		if err != nil || st != http.StatusAccepted {
			failed.Add(1)
			return
		}
		accepted.Add(1)
		lats = append(lats, lat)
		if lat > 25*time.Millisecond {
			slow[int(t0.Sub(start)/time.Second)]++
		}
	}
	// load pushes for d, as the flags say.
	load := func(d time.Duration) {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		begin := time.Now()
		var wg sync.WaitGroup
		if rate > 0 {
			interval := time.Second / time.Duration(rate)
			inflight := make(chan struct{}, 4096)
			for i := 0; ; i++ {
				at := begin.Add(time.Duration(i) * interval)
				if time.Until(at) > 0 {
					time.Sleep(time.Until(at))
				}
				if ctx.Err() != nil {
					break
				}
				select {
				case inflight <- struct{}{}:
				default: // 4,096 pushes already waiting: the server is far behind
					if measuring {
						dropped.Add(1)
					}
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					push(at)
					<-inflight
				}()
			}
		} else {
			for range conc {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for ctx.Err() == nil {
						push(time.Time{})
					}
				}()
			}
		}
		wg.Wait()
	}
	if rate > 0 {
		fmt.Printf("open loop: %d pushes/s offered\n", rate)
	}
	// The warm-up ends with a few seconds of the load itself, not measured,
	// so that the run starts with the server's connection pools (and
	// PostgreSQL's backends behind them) as the load keeps them.
	load(rampUp)
	if err := drain(); err != nil {
		return err
	}
	warm = count("processed")
	stopVacuum := startVacuum(dbURL, vacuumEvery)
	defer stopVacuum()
	latMu.Lock()
	start, measuring = time.Now(), true
	latMu.Unlock()
	cpuFrom := readCPU(srv.Process.Pid)
	load(dur)
	pushTime := time.Since(start)
	processedAtStop := count("processed") - warm
	if err := drain(); err != nil {
		return err
	}
	allTime := time.Since(start)
	cpuTo := readCPU(srv.Process.Pid)
	processed, failedLogs := count("processed")-warm, count("failed")
	slices.Sort(lats)
	pct := func(p float64) time.Duration {
		if len(lats) == 0 {
			return 0
		}
		return lats[min(len(lats)-1, int(float64(len(lats))*p))]
	}
	rss := peakRSS(srv.Process.Pid)
	fmt.Printf("accepted   %d in %.1fs = %.0f/s (rejected or errors: %d; not sent, generator backlog full: %d)\n",
		accepted.Load(), pushTime.Seconds(), float64(accepted.Load())/pushTime.Seconds(), failed.Load(), dropped.Load())
	fmt.Printf("processed  %d during the push (%.0f/s), %d in all by %.1fs = %.0f/s end to end; failed %d; lost %d\n",
		processedAtStop, float64(processedAtStop)/pushTime.Seconds(), processed, allTime.Seconds(), float64(processed)/allTime.Seconds(), failedLogs, accepted.Load()-int64(processed+failedLogs))
	fmt.Printf("latency    p50 %.1fms p99 %.1fms max %.1fms\n", ms(pct(0.50)), ms(pct(0.99)), ms(pct(1)))
	fmt.Printf("server     peak RSS %s\n", rss)
	fmt.Printf("cpu        per inventory processed, from the push's start until the last was: %s\n",
		perInventory(cpuFrom, cpuTo, processed, strings.HasPrefix(dbURL, "postgres")))
	if len(slow) > 0 {
		secs := slices.Collect(maps.Keys(slow))
		slices.SortFunc(secs, func(x, y int) int { return cmp.Or(cmp.Compare(slow[y], slow[x]), cmp.Compare(x, y)) })
		var worst []string
		for _, sec := range secs[:min(5, len(secs))] {
			worst = append(worst, fmt.Sprintf("%d in second %d", slow[sec], sec))
		}
		total := 0
		for _, n := range slow {
			total += n
		}
		fmt.Printf("over 25ms  %d pushes in %d of %d seconds; most: %s\n", total, len(slow), int(math.Ceil(pushTime.Seconds())), strings.Join(worst, ", "))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakRSS reads VmHWM of a process (Linux).
func peakRSS(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			return strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:"))
		}
	}
	return "unknown"
}
