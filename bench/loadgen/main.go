// Command loadgen is a neutral load generator for the Fleetwatch ingest path.
//
// This is the project's copy of the side-by-side harness's generator, with one
// addition: -libraries DIR adds each site the PHP libraries of a real
// composer.lock (every package that is not a Drupal project), as the
// inventory's "libraries" list, changed with the modules in mode "changed". A
// server that does not judge libraries (the reference) stores them in the raw
// payload and ignores them.
//
// It drives any server that speaks DESIGN.md section 6 (POST /api/v1/ingest/inventory
// with a site API key, 202 on acceptance) — the Go service or the FastAPI reference —
// with realistic inventories built from the real site inventories in
// shared/fixtures/sites, then waits for the server's ingest worker to catch up by
// polling a stats URL that reports how many inbox rows are processed.
//
// Each site is pushed by exactly one worker, one push at a time, the way a real
// site's agent pushes. Mode "unchanged" re-sends the site's module list with a new
// snapshot_id; mode "changed" alters every version string on every push.
//
// Usage (bench/side-by-side.sh runs it against both servers):
//
//	go build -o loadgen ./bench/loadgen &&
//	./loadgen -base http://127.0.0.1:8000 -keys keys.json -fixtures DIR -c 16 -d 20s -mode unchanged \
//	  -libraries packagist/testdata/composer-locks
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

type siteKey struct {
	SiteID string `json:"site_id"`
	Key    string `json:"key"`
}

type module struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Version string `json:"version"`
	Enabled *bool  `json:"enabled,omitempty"`
}

type drupalInfo struct {
	CoreVersion string `json:"core_version"`
	PHPVersion  string `json:"php_version"`
	Profile     string `json:"profile"`
}

type inventory struct {
	SnapshotID  string     `json:"snapshot_id"`
	CollectedAt string     `json:"collected_at"`
	Drupal      drupalInfo `json:"drupal"`
	Modules     []module   `json:"modules"`
	Libraries   []library  `json:"libraries,omitempty"`
}

// library is one entry of the inventory's "libraries" list.
type library struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Dev     bool   `json:"dev,omitempty"`
}

// loadLibraries returns the libraries of each composer.lock in dir (*.lock,
// or *.lock.gz): its packages and packages-dev that are not Drupal projects.
func loadLibraries(dir string) ([][]library, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.lock*"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no composer.lock files in %s", dir)
	}
	sort.Strings(files)
	var sets [][]library
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && strings.HasSuffix(f, ".gz") {
			var z *gzip.Reader
			if z, err = gzip.NewReader(bytes.NewReader(b)); err == nil {
				b, err = io.ReadAll(z)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		type pkg struct{ Name, Version, Type string }
		var lock struct {
			Packages    []pkg `json:"packages"`
			PackagesDev []pkg `json:"packages-dev"`
		}
		if err := json.Unmarshal(b, &lock); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		var set []library
		for i, ps := range [][]pkg{lock.Packages, lock.PackagesDev} {
			for _, p := range ps {
				if strings.HasPrefix(p.Name, "drupal/") || strings.HasPrefix(p.Type, "drupal-") {
					continue
				}
				set = append(set, library{Name: p.Name, Version: p.Version, Dev: i == 1})
			}
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// fixture is the part of a shared/fixtures/sites/*.json file that we use.
type fixture struct {
	Packages []struct {
		Name             string `json:"name"`
		Version          string `json:"version"`
		Type             string `json:"type"`
		DrupalOrgVersion string `json:"drupal_org_version"`
	} `json:"packages"`
}

var packageTypes = map[string]string{"drupal-core": "core", "drupal-module": "module", "drupal-theme": "theme"}

// loadFixtures returns each fixture's Drupal projects (core first) and their union.
func loadFixtures(dir string) (sets [][]module, pool []module, err error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, nil, fmt.Errorf("no fixtures in %s (set -fixtures)", dir)
	}
	sort.Strings(files)
	seen := map[string]bool{}
	enabled := true
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		var fx fixture
		if err := json.Unmarshal(b, &fx); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		var set []module
		for _, p := range fx.Packages {
			typ, ok := packageTypes[p.Type]
			if !ok {
				continue
			}
			name := strings.TrimPrefix(p.Name, "drupal/")
			if name == "core" {
				name = "drupal"
			}
			v := p.Version
			if p.DrupalOrgVersion != "" {
				v = p.DrupalOrgVersion
			}
			m := module{Name: name, Type: typ, Version: v}
			if typ != "core" {
				m.Enabled = &enabled
			}
			set = append(set, m)
			if !seen[name] {
				seen[name] = true
				pool = append(pool, m)
			}
		}
		sort.SliceStable(set, func(i, j int) bool { return set[i].Type == "core" && set[j].Type != "core" })
		sets = append(sets, set)
	}
	return sets, pool, nil
}

// rng is a small deterministic generator (splitmix64) so a site's inventory is the
// same in every run: re-running mode unchanged on the same database stays unchanged.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// siteModules builds one site's inventory: a real site's projects (core included),
// trimmed or topped up from the other real sites' projects to 150–200 entries.
func siteModules(siteID string, sets [][]module, pool []module) []module {
	h := fnv.New64a()
	h.Write([]byte(siteID))
	r := rng(h.Sum64())
	base := sets[r.intn(len(sets))]
	target := 150 + r.intn(51)
	if target > len(pool) {
		target = len(pool)
	}
	out := []module{base[0]} // core
	have := map[string]bool{base[0].Name: true}
	rest := append([]module(nil), base[1:]...)
	r.shuffle(rest)
	for _, m := range rest {
		if len(out) == target {
			break
		}
		out = append(out, m)
		have[m.Name] = true
	}
	extra := append([]module(nil), pool...)
	r.shuffle(extra)
	for _, m := range extra {
		if len(out) == target {
			break
		}
		if !have[m.Name] && m.Type != "core" {
			out = append(out, m)
			have[m.Name] = true
		}
	}
	return out
}

func (r *rng) shuffle(ms []module) {
	for i := len(ms) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		ms[i], ms[j] = ms[j], ms[i]
	}
}

var lastNumber = regexp.MustCompile(`\d+`)

// bump alters a version string by adding n to its last number: 8.x-1.5 -> 8.x-1.(5+n),
// 3.0.0-beta1 -> 3.0.0-beta(1+n). It stays a plausible Drupal version.
func bump(v string, n int) string {
	locs := lastNumber.FindAllStringIndex(v, -1)
	if len(locs) == 0 {
		return v + "-p" + strconv.Itoa(n)
	}
	l := locs[len(locs)-1]
	x, err := strconv.Atoi(v[l[0]:l[1]])
	if err != nil {
		return v + "-p" + strconv.Itoa(n)
	}
	return v[:l[0]] + strconv.Itoa(x+n) + v[l[1]:]
}

func uuid4() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func payload(mods []module, libs []library, mode string, push int) ([]byte, error) {
	inv := inventory{
		SnapshotID:  uuid4(),
		CollectedAt: time.Now().UTC().Format(time.RFC3339),
		Drupal:      drupalInfo{CoreVersion: mods[0].Version, PHPVersion: "8.3.14", Profile: "standard"},
		Modules:     mods,
		Libraries:   libs,
	}
	if mode == "changed" {
		inv.Modules = make([]module, len(mods))
		for i, m := range mods {
			m.Version = bump(m.Version, push)
			inv.Modules[i] = m
		}
		inv.Drupal.CoreVersion = inv.Modules[0].Version
		inv.Libraries = make([]library, len(libs))
		for i, l := range libs {
			l.Version = bump(l.Version, push)
			inv.Libraries[i] = l
		}
	}
	return json.Marshal(inv)
}

type site struct {
	key       siteKey
	modules   []module
	libraries []library
	pushes    int
}

type result struct {
	latencies []time.Duration
	errors    map[string]int
	sample    string
}

func worker(client *http.Client, url, mode string, mine []*site, deadline time.Time) result {
	res := result{errors: map[string]int{}}
	for i := 0; time.Now().Before(deadline); i++ {
		s := mine[i%len(mine)]
		s.pushes++
		body, err := payload(s.modules, s.libraries, mode, s.pushes)
		if err != nil {
			res.errors["marshal"]++
			continue
		}
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+s.key.Key)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			res.errors["transport"]++
			if res.sample == "" {
				res.sample = err.Error()
			}
			time.Sleep(50 * time.Millisecond) // do not spin on a dead server
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		elapsed := time.Since(start)
		if resp.StatusCode == http.StatusAccepted {
			res.latencies = append(res.latencies, elapsed)
		} else {
			res.errors[strconv.Itoa(resp.StatusCode)]++
			if res.sample == "" {
				res.sample = fmt.Sprintf("%d %s", resp.StatusCode, truncate(string(b), 300))
			}
		}
	}
	return res
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

type stats struct{ queued, processed, failed int64 }

// fetchStats reads {"processed": N, ...} at the top level or under "data".
func fetchStats(client *http.Client, url, token string) (stats, error) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return stats{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return stats{}, fmt.Errorf("stats: %d %s", resp.StatusCode, truncate(string(b), 200))
	}
	var doc map[string]json.RawMessage
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return stats{}, fmt.Errorf("stats: %w", err)
	}
	if d, ok := doc["data"]; ok {
		doc = nil
		if err := json.Unmarshal(d, &doc); err != nil {
			return stats{}, fmt.Errorf("stats data: %w", err)
		}
	}
	num := func(k string) int64 {
		var n int64
		json.Unmarshal(doc[k], &n)
		return n
	}
	if _, ok := doc["processed"]; !ok {
		return stats{}, errors.New(`stats: no "processed" count in the response`)
	}
	return stats{queued: num("queued"), processed: num("processed"), failed: num("failed")}, nil
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	if i < 0 {
		i = 0
	}
	return float64(sorted[i].Microseconds()) / 1000
}

func round(x float64) float64 { return math.Round(x*10) / 10 }

func main() {
	base := flag.String("base", "http://127.0.0.1:8000", "server base URL")
	keysFile := flag.String("keys", "keys.json", `JSON list of {"site_id", "key"}`)
	conc := flag.Int("c", 16, "concurrent workers (each owns a disjoint set of sites)")
	dur := flag.Duration("d", 20*time.Second, "push phase duration")
	mode := flag.String("mode", "unchanged", "unchanged | changed")
	ingestPath := flag.String("ingest-path", "/api/v1/ingest/inventory", "ingest endpoint path")
	statsPath := flag.String("stats-path", "/api/v1/ingest/stats", `path (or full URL) that reports {"processed": N} (top level or under "data"); empty: skip the wait`)
	statsToken := flag.String("stats-token", "", "bearer token for the stats path, if it needs one")
	wait := flag.Duration("wait", 5*time.Minute, "how long to wait for processing to catch up")
	fixtures := flag.String("fixtures", "shared/fixtures/sites", "directory of site inventory fixtures")
	librariesDir := flag.String("libraries", "", "directory of composer.lock files: each site also sends one's PHP libraries (empty: none)")
	flag.Parse()
	if *mode != "unchanged" && *mode != "changed" {
		fail("-mode must be unchanged or changed")
	}
	if *conc < 1 {
		fail("-c must be at least 1")
	}

	var keys []siteKey
	b, err := os.ReadFile(*keysFile)
	if err == nil {
		err = json.Unmarshal(b, &keys)
	}
	if err != nil || len(keys) == 0 {
		fail(fmt.Sprintf("keys file %s: %v (need a non-empty list)", *keysFile, err))
	}
	sets, pool, err := loadFixtures(*fixtures)
	if err != nil {
		fail(err.Error())
	}
	var libSets [][]library
	if *librariesDir != "" {
		if libSets, err = loadLibraries(*librariesDir); err != nil {
			fail(err.Error())
		}
	}
	sites := make([]*site, len(keys))
	total, totalLibs := 0, 0
	for i, k := range keys {
		sites[i] = &site{key: k, modules: siteModules(k.SiteID, sets, pool)}
		if libSets != nil {
			sites[i].libraries = libSets[i%len(libSets)]
		}
		total += len(sites[i].modules)
		totalLibs += len(sites[i].libraries)
	}
	avgModules := float64(total) / float64(len(sites))

	client := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: *conc * 2, MaxIdleConnsPerHost: *conc * 2, IdleConnTimeout: time.Minute},
	}
	statsURL := ""
	var before stats
	if *statsPath != "" {
		statsURL = strings.TrimRight(*base, "/") + *statsPath
		if strings.HasPrefix(*statsPath, "http") { // a stats server of its own (e.g. a shim)
			statsURL = *statsPath
		}
		if before, err = fetchStats(client, statsURL, *statsToken); err != nil {
			fail(err.Error())
		}
		if before.queued > 0 {
			fmt.Fprintf(os.Stderr, "warning: %d inbox rows already queued; the catch-up time includes them\n", before.queued)
		}
	}
	fmt.Fprintf(os.Stderr, "loadgen: %d sites, %.0f modules and %.0f libraries per inventory on average, mode %s, c=%d, %s\n",
		len(sites), avgModules, float64(totalLibs)/float64(len(sites)), *mode, *conc, *dur)

	workers := *conc
	if workers > len(sites) {
		workers = len(sites)
	}
	url := strings.TrimRight(*base, "/") + *ingestPath
	start := time.Now()
	deadline := start.Add(*dur)
	results := make([]result, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		var mine []*site
		for i := w; i < len(sites); i += workers {
			mine = append(mine, sites[i])
		}
		wg.Add(1)
		go func(w int, mine []*site) {
			defer wg.Done()
			results[w] = worker(client, url, *mode, mine, deadline)
		}(w, mine)
	}
	wg.Wait()
	pushSeconds := time.Since(start).Seconds()

	var lat []time.Duration
	errs := map[string]int{}
	nerr := 0
	sample := ""
	for _, r := range results {
		lat = append(lat, r.latencies...)
		for k, v := range r.errors {
			errs[k] += v
			nerr += v
		}
		if sample == "" {
			sample = r.sample
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	accepted := len(lat)
	summary := map[string]any{
		"mode":                    *mode,
		"concurrency":             *conc,
		"duration_s":              round(pushSeconds),
		"sites":                   len(sites),
		"modules_per_inventory":   round(avgModules),
		"libraries_per_inventory": round(float64(totalLibs) / float64(len(sites))),
		"accepted":                accepted,
		"accepted_per_s":          round(float64(accepted) / pushSeconds),
		"latency_ms": map[string]float64{
			"p50": percentile(lat, 0.50),
			"p95": percentile(lat, 0.95),
			"p99": percentile(lat, 0.99),
			"max": percentile(lat, 1),
		},
		"errors":         nerr,
		"errors_by_kind": errs,
	}
	fmt.Fprintf(os.Stderr, "push: %d accepted in %.1fs = %.1f/s; latency p50 %.1fms p95 %.1fms p99 %.1fms; %d errors %v\n",
		accepted, pushSeconds, float64(accepted)/pushSeconds, percentile(lat, .5), percentile(lat, .95), percentile(lat, .99), nerr, errs)
	if sample != "" {
		fmt.Fprintf(os.Stderr, "first error: %s\n", sample)
	}

	if statsURL != "" {
		var now stats
		caughtUp := false
		for waitUntil := time.Now().Add(*wait); ; time.Sleep(100 * time.Millisecond) {
			s, err := fetchStats(client, statsURL, *statsToken)
			if err != nil {
				fmt.Fprintf(os.Stderr, "stats: %v\n", err)
			} else {
				now = s
				if (now.processed-before.processed)+(now.failed-before.failed) >= int64(accepted) {
					caughtUp = true
					break
				}
			}
			if time.Now().After(waitUntil) {
				break
			}
		}
		e2e := time.Since(start).Seconds()
		processed := now.processed - before.processed
		summary["processed"] = processed
		summary["failed"] = now.failed - before.failed
		summary["caught_up"] = caughtUp
		summary["end_to_end_s"] = round(e2e)
		summary["drain_s"] = round(e2e - pushSeconds)
		summary["processed_per_s"] = round(float64(processed) / e2e)
		fmt.Fprintf(os.Stderr, "process: %d processed (%d failed) %.1fs after the first push = %.1f/s end to end; caught up: %v\n",
			processed, now.failed-before.failed, e2e, float64(processed)/e2e, caughtUp)
	}
	line, _ := json.Marshal(summary)
	fmt.Println(string(line))
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "loadgen:", msg)
	os.Exit(2)
}
