// Command fleetwatch-benchreports measures the report endpoints on a large
// generated fleet: it fills a fresh database with N sites × M projects and a
// year of history, starts `fleetwatch serve` on it, and times the reports
// over HTTP, printing percentiles and the server's peak memory.
//
//	make bench-reports                     # PostgreSQL, 10,000 sites
//	go run ./cmd/fleetwatch-benchreports -database-url sqlite:///tmp/b.db -sites 2000
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql's "pgx"
)

func main() {
	var (
		dbURL    = flag.String("database-url", "postgres://postgres@127.0.0.1:5432/fleetwatch_bench?sslmode=disable", "a database to fill (its tables are dropped first)")
		bin      = flag.String("fleetwatch", "bin/fleetwatch", "the fleetwatch binary to serve")
		sites    = flag.Int("sites", 10000, "sites")
		projects = flag.Int("projects", 150, "projects per site")
		requests = flag.Int("requests", 200, "requests per report")
		conc     = flag.Int("concurrency", 4, "concurrent clients")
		skipFill = flag.Bool("skip-fill", false, "reuse the data of an earlier run")
		cacheTTL = flag.String("report-cache-ttl", "0", "the server's --report-cache-ttl: 0 measures every report computed, 1m the cache")
		only     = flag.String("only", "", "measure only this request: \"modules\" (one site's module list), or a report (\"summary\", \"trends\", …)")
		modPer   = flag.Int("modules-per-page", 50, "per_page of the module list requests (50 is the default page)")
		modConc  = flag.Int("modules-concurrency", 16, "concurrent clients of the module list")
		modReqs  = flag.Int("modules-requests", 0, "module list requests; 10 × -requests when 0")
	)
	flag.Parse()
	ctx := context.Background()
	os.Setenv("FLEETWATCH_REPORT_CACHE_TTL", *cacheTTL)
	if *modReqs == 0 {
		*modReqs = *requests * 10
	}
	mods := modulesBench{perPage: *modPer, conc: *modConc, requests: *modReqs, only: *only}
	if err := run(ctx, *dbURL, *bin, *sites, *projects, *requests, *conc, *skipFill, mods); err != nil {
		fmt.Fprintln(os.Stderr, "benchreports:", err)
		os.Exit(1)
	}
}

// modulesBench says how to measure one site's module list.
type modulesBench struct {
	perPage, conc, requests int
	only                    string // "modules", a report's name, or "" for all
}

func run(ctx context.Context, dbURL, bin string, sites, projects, requests, conc int, skipFill bool, mods modulesBench) error {
	if !skipFill {
		start := time.Now()
		n, err := fill(ctx, dbURL, sites, projects)
		if err != nil {
			return err
		}
		fmt.Printf("filled %d sites × %d projects (%d rows) in %s\n", sites, projects, n, time.Since(start).Round(time.Second))
	}
	// Migrate (a re-used database may miss new indexes, which take longer
	// than the server's start) and analyze (the fill wrote millions of rows
	// that autovacuum has not seen yet; a live database has its statistics).
	if err := prepare(ctx, dbURL, projects); err != nil {
		return err
	}
	srv, err := startServer(ctx, bin, dbURL)
	if err != nil {
		return err
	}
	defer srv.stop()
	token, err := srv.login()
	if err != nil {
		return err
	}
	siteIDs, err := srv.siteIDs(token, 50)
	if err != nil {
		return err
	}
	from := time.Now().UTC().AddDate(0, 0, -364).Format(time.DateOnly)
	reports := []struct{ name, path string }{
		{"summary", "/api/v1/reports/summary"},
		{"security-updates (first page)", "/api/v1/reports/security-updates?per_page=50"},
		{"site-risk (first page)", "/api/v1/reports/site-risk?per_page=50"},
		{"sla-compliance (90 days)", "/api/v1/reports/sla-compliance?from=" + time.Now().UTC().AddDate(0, 0, -90).Format(time.DateOnly)},
		{"trends (365 days)", "/api/v1/reports/trends?from=" + from},
	}
	warmUp := slices.Clone(reports) // all of them, whatever -only says: trends waits for the startup's rollup
	if mods.only != "" {
		reports = slices.DeleteFunc(reports, func(r struct{ name, path string }) bool { return !strings.HasPrefix(r.name, mods.only) })
		if len(reports) == 0 && mods.only != "modules" {
			return fmt.Errorf("-only %q: no such request", mods.only)
		}
	}
	// A warm-up of every report, not measured: the server's first answers
	// pay for its startup (connections, prepared statements, the rollup it
	// runs as it starts), which a server in service has behind it. Without
	// it, -only measured one report beside the startup's rollup.
	for _, b := range warmUp {
		if _, _, err := srv.measure(token, []string{b.path}, max(20, requests/10), conc); err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
	}
	waited := time.Now()
	if err := waitQuiet(ctx, dbURL); err != nil {
		return err
	}
	fmt.Printf("(the server's start-up work was done %s after the warm-up)\n", time.Since(waited).Round(time.Second))
	fmt.Printf("\n%-34s %8s %8s %8s %8s\n", "request", "p50 ms", "p95 ms", "p99 ms", "req/s")
	for _, b := range reports {
		lat, rate, err := srv.measure(token, []string{b.path}, requests, conc)
		if err != nil {
			return fmt.Errorf("%s: %w", b.name, err)
		}
		fmt.Printf("%-34s %8.1f %8.1f %8.1f %8.0f\n", b.name, pct(lat, 50), pct(lat, 95), pct(lat, 99), rate)
	}
	if mods.only != "" && mods.only != "modules" {
		fmt.Printf("\nserver peak RSS: %s\n", srv.peakRSS())
		return nil
	}
	var paths []string
	for _, id := range siteIDs {
		paths = append(paths, fmt.Sprintf("/api/v1/sites/%s/modules?per_page=%d", id, mods.perPage))
	}
	// A short warm-up, so that the figures do not include the first
	// connections and the server's first reads.
	if _, _, err := srv.measure(token, paths, len(paths)*2, mods.conc); err != nil {
		return fmt.Errorf("site modules: %w", err)
	}
	lat, rate, err := srv.measure(token, paths, mods.requests, mods.conc)
	if err != nil {
		return fmt.Errorf("site modules: %w", err)
	}
	name := fmt.Sprintf("one site's modules (%d per page, %d clients)", mods.perPage, mods.conc)
	fmt.Printf("%-34s %8.1f %8.1f %8.1f %8.0f\n", name, pct(lat, 50), pct(lat, 95), pct(lat, 99), rate)
	fmt.Printf("\nserver peak RSS: %s\n", srv.peakRSS())
	return nil
}

// ---- the fleet ----

type batch struct {
	table string
	cols  []string
	rows  [][]any
}

func fill(ctx context.Context, dbURL string, sites, projects int) (int, error) {
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return 0, err
	}
	if err := store.DeleteAll(ctx, "report_daily", "exposures", "site_module_changes", "patch_runs", "site_modules", "module_versions",
		"modules", "api_keys", "audit_logs", "sites", "organizations"); err != nil {
		return 0, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC().Truncate(time.Second)
	yearAgo := now.AddDate(-1, 0, 0)
	total := 0
	flush := func(b *batch) error {
		if len(b.rows) == 0 {
			return nil
		}
		err := store.BulkInsert(ctx, b.table, b.cols, b.rows)
		total += len(b.rows)
		b.rows = b.rows[:0]
		return err
	}
	const orgs = 10
	ob := &batch{table: "organizations", cols: []string{"id", "uuid", "name", "created_at", "updated_at"}}
	for o := 1; o <= orgs; o++ {
		ob.rows = append(ob.rows, []any{o, uuid(rng), fmt.Sprintf("Bench org %d", o), yearAgo, yearAgo})
	}
	if err := flush(ob); err != nil {
		return 0, err
	}
	const versions = 12
	nproj := projects * 4 / 3
	mb := &batch{table: "modules", cols: []string{"id", "module_name", "drupal_link", "type", "source", "created_at", "updated_at"}}
	vb := &batch{table: "module_versions", cols: []string{"id", "module_id", "version_number", "release_date", "is_security_update", "created_at", "updated_at"}}
	for p := 1; p <= nproj; p++ {
		name := fmt.Sprintf("bench_project_%03d", p)
		mb.rows = append(mb.rows, []any{p, name, "https://www.drupal.org/project/" + name, "module", "drupal.org", yearAgo, yearAgo})
		for v := range versions {
			rel := now.AddDate(0, 0, -700+v*60)
			vb.rows = append(vb.rows, []any{p*versions + v, p, fmt.Sprintf("2.0.%d", v), rel, v%4 == 3, yearAgo, yearAgo})
		}
	}
	if err := flush(mb); err != nil {
		return 0, err
	}
	if err := flush(vb); err != nil {
		return 0, err
	}
	sb := &batch{table: "sites", cols: []string{"id", "uuid", "url", "name", "organization_id", "first_seen_at", "last_seen_at", "core_version", "created_at", "updated_at"}}
	// Rows count as analyzed (analyzed_at = updated_at), as on a live
	// server: the measured server would otherwise analyze all 1.5 M of them
	// as it starts, while the reports are timed.
	// Each site_modules row names its open interval (history_id,
	// history_from).
	smb := &batch{table: "site_modules", cols: []string{"site_id", "module_id", "current_version_id", "update_available", "security_update", "status", "latest_version", "recommended_version", "created_at", "updated_at", "analyzed_at", "history_id", "history_from"}}
	hb := &batch{table: "site_module_changes", cols: []string{"id", "site_id", "module_id", "version", "status", "valid_from"}}
	hid := 0 // the last history id
	// Breaches already past count as announced, as on a live server: the
	// measured server would otherwise announce (update) 20,000 exposures as
	// it starts, while the reports are timed.
	eb := &batch{table: "exposures", cols: []string{"uuid", "site_id", "module_id", "organization_id", "installed_version", "fixed_by", "severity", "detected_at", "clock_started_at", "due_at", "resolved_at", "sla_outcome", "breach_notified_at", "created_at", "updated_at"}}
	pb := &batch{table: "patch_runs", cols: []string{"uuid", "site_id", "run_date", "status", "tool", "changes", "created_at"}}
	sevs := []string{"highly_critical", "critical", "moderately_critical", "less_critical", "not_critical"}
	deadline := map[string]int{"highly_critical": 1, "critical": 3, "moderately_critical": 7, "less_critical": 30, "not_critical": 90}
	for s := 1; s <= sites; s++ {
		org := 1 + s%orgs
		lastSeen := now.Add(-time.Duration(rng.IntN(72)) * time.Hour)
		sb.rows = append(sb.rows, []any{s, uuid(rng), fmt.Sprintf("https://site-%05d.bench.example", s), fmt.Sprintf("Bench site %05d", s), org, yearAgo, lastSeen, "10.3.6", yearAgo, yearAgo})
		for _, p := range rng.Perm(nproj)[:projects] {
			mod := p + 1
			cur := versions - 1 - min(rng.IntN(6), versions-1)
			status := "current"
			switch {
			case cur == versions-1:
			case rng.IntN(100) < 3:
				status = "not_secure"
			default:
				status = "not_current"
			}
			// History: the version before, then the current one.
			switched := yearAgo.Add(time.Duration(rng.Int64N(int64(now.Sub(yearAgo)))))
			hb.rows = append(hb.rows, []any{hid + 1, s, mod, fmt.Sprintf("2.0.%d", max(cur-1, 0)), "not_current", yearAgo})
			hb.rows = append(hb.rows, []any{hid + 2, s, mod, fmt.Sprintf("2.0.%d", cur), status, switched})
			hid += 2
			smb.rows = append(smb.rows, []any{s, mod, mod*versions + cur, status != "current", status == "not_secure", status, "2.0.11", "2.0.11", yearAgo, now, now, hid, switched})
			if status == "not_secure" {
				sev := sevs[rng.IntN(len(sevs))]
				det := now.Add(-time.Duration(rng.IntN(40*24)) * time.Hour)
				due := det.AddDate(0, 0, deadline[sev])
				var notified any
				if due.Before(now) {
					notified = due
				}
				eb.rows = append(eb.rows, []any{uuid(rng), s, mod, org, fmt.Sprintf("2.0.%d", cur), `["2.0.11"]`, sev, det, det, due, nil, nil, notified, det, det})
			}
		}
		// A year of resolved exposures and patch runs.
		for i := 0; i < 4; i++ {
			sev := sevs[rng.IntN(len(sevs))]
			det := yearAgo.Add(time.Duration(rng.Int64N(int64(now.Sub(yearAgo) - 240*time.Hour))))
			res := det.Add(time.Duration(rng.IntN(20*24)) * time.Hour)
			due := det.AddDate(0, 0, deadline[sev])
			outcome := "within"
			if res.After(due) {
				outcome = "breached"
			}
			var notified any
			if outcome == "breached" {
				notified = due
			}
			eb.rows = append(eb.rows, []any{uuid(rng), s, 1 + rng.IntN(nproj), org, "2.0.2", `["2.0.3"]`, sev, det, det, due, res, outcome, notified, det, res})
			pb.rows = append(pb.rows, []any{uuid(rng), s, res, "succeeded", "composer", `[{"name":"bench_project_001","from_version":"2.0.2","to_version":"2.0.3"}]`, res})
		}
		if s%500 == 0 || s == sites {
			for _, b := range []*batch{sb, smb, hb, eb, pb} {
				if err := flush(b); err != nil {
					return total, err
				}
			}
			fmt.Fprintf(os.Stderr, "\r%d/%d sites", s, sites)
		}
	}
	fmt.Fprintln(os.Stderr)
	// The rows were written around the store: count each site's updates.
	if err := store.RebuildCounters(ctx); err != nil {
		return total, err
	}
	return total, nil
}

// waitQuiet waits until the server's start-up work in PostgreSQL (the
// rollups its leader runs as it starts, 20 s and more on a year of history)
// is done: no statement of another connection running for two seconds,
// five minutes at most. Requests measured beside it measured the start.
func waitQuiet(ctx context.Context, dbURL string) error {
	if !strings.HasPrefix(dbURL, "postgres") {
		return nil
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	for quiet, deadline := 0, time.Now().Add(5*time.Minute); quiet < 4 && time.Now().Before(deadline); {
		var running int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`).Scan(&running); err != nil {
			return fmt.Errorf("wait for the server's start-up work: %w", err)
		}
		if quiet++; running > 0 {
			quiet = 0
		}
		time.Sleep(500 * time.Millisecond)
	}
	return nil
}

func prepare(ctx context.Context, dbURL string, projects int) error {
	start := time.Now()
	store, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return err
	}
	// The generated projects' feeds count as just checked: the bench's feed
	// URL serves nothing, and a server that found every feed due would
	// re-analyze the whole fleet while the reports are timed (a live fleet
	// refreshes each feed hourly, spread out), changing the data between runs.
	now := time.Now().UTC()
	fb := &batch{table: "release_feeds", cols: []string{"project", "status", "failures", "fetched_at", "checked_at", "created_at"}}
	for p := 1; p <= projects*4/3; p++ {
		fb.rows = append(fb.rows, []any{fmt.Sprintf("bench_project_%03d", p), "ok", 0, now, now, now})
	}
	if err := store.DeleteAll(ctx, "release_feeds"); err != nil {
		return err
	}
	if err := store.BulkInsert(ctx, fb.table, fb.cols, fb.rows); err != nil {
		return err
	}
	if err := store.Analyze(ctx); err != nil {
		return err
	}
	fmt.Printf("migrated and analyzed in %s\n", time.Since(start).Round(time.Second))
	return nil
}

func uuid(rng *rand.Rand) string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// ---- the server ----

type server struct {
	cmd  *exec.Cmd
	url  string
	dir  string
	http *http.Client
}

func startServer(ctx context.Context, bin, dbURL string) (*server, error) {
	bin, err := filepath.Abs(bin) // the server runs in a temporary folder
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "fleetwatch-bench")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	env := append(os.Environ(), "FLEETWATCH_DATABASE_URL="+dbURL, "FLEETWATCH_BCRYPT_COST=4",
		"FLEETWATCH_SECRET_KEY=bench-secret-key-0123456789abcdef0123", "FLEETWATCH_ADDR="+addr,
		"FLEETWATCH_RELEASE_FEED_URL=file://"+dir, "FLEETWATCH_ADVISORY_URL=file://"+dir, "FLEETWATCH_LOG_LEVEL=warn")
	create := exec.CommandContext(ctx, bin, "users", "create", "--email", "bench@example.com", "--password", "bench-password", "--role", "admin")
	create.Env, create.Dir = env, dir
	if out, err := create.CombinedOutput(); err != nil && !strings.Contains(string(out), "already in use") {
		return nil, fmt.Errorf("create bench user: %v: %s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Env, cmd.Dir = env, dir
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, url: "http://" + addr, dir: dir, http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	for i := 0; i < 600; i++ {
		if res, err := s.http.Get(s.url + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.stop()
	return nil, fmt.Errorf("server did not get ready")
}

func (s *server) stop() {
	_ = s.cmd.Process.Signal(os.Interrupt)
	_ = s.cmd.Wait()
	os.RemoveAll(s.dir)
}

func (s *server) login() (string, error) {
	body, _ := json.Marshal(map[string]string{"email": "bench@example.com", "password": "bench-password"})
	res, err := s.http.Post(s.url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		Data struct {
			AccessToken string `json:"access_token"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Data.AccessToken == "" {
		return "", fmt.Errorf("login: %d %v", res.StatusCode, err)
	}
	return out.Data.AccessToken, nil
}

func (s *server) get(token, path string) error {
	req, _ := http.NewRequest("GET", s.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != 200 {
		return fmt.Errorf("GET %s: %d", path, res.StatusCode)
	}
	return nil
}

func (s *server) siteIDs(token string, n int) ([]string, error) {
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/sites?per_page=%d", s.url, n), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := s.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, err
	}
	var ids []string
	for _, d := range out.Data {
		ids = append(ids, d.ID)
	}
	return ids, nil
}

// measure sends n requests over paths from conc clients and returns the
// latencies in milliseconds and the rate achieved.
func (s *server) measure(token string, paths []string, n, conc int) ([]float64, float64, error) {
	var (
		mu   sync.Mutex
		lat  []float64
		errs []error
		wg   sync.WaitGroup
	)
	next := make(chan int, n)
	for i := range n {
		next <- i
	}
	close(next)
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				t := time.Now()
				err := s.get(token, paths[i%len(paths)])
				d := float64(time.Since(t).Microseconds()) / 1000
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, 0, errs[0]
	}
	return lat, float64(n) / time.Since(start).Seconds(), nil
}

func (s *server) peakRSS() string {
	b, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(s.cmd.Process.Pid), "status"))
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

func pct(xs []float64, p float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(float64(len(s))*p/100))]
}
