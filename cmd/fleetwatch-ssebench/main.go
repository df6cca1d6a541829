// Command fleetwatch-ssebench holds many Server-Sent Events clients open on
// a running Fleetwatch and measures how long one event takes to reach all
// of them, and the server's memory while they are connected.
//
//	ulimit -n 65536
//	go run ./cmd/fleetwatch-ssebench -server http://127.0.0.1:8080 \
//	    -email admin@example.com -password … -site-key fwk_… -clients 10000 -server-pid PID
//
// The event is a snapshot.processed: the tool pushes an inventory with the
// site key and waits for every client to see it. The server needs the open
// file limit raised too (`ulimit -n $(ulimit -Hn)` before starting it; the
// sandbox's hard limit is 20,000). -hold keeps the clients connected after
// the event, to profile the server (FLEETWATCH_PPROF_ADDR) while they wait.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	server := flag.String("server", "http://127.0.0.1:8080", "Fleetwatch base URL")
	email := flag.String("email", "", "a user who sees the site's organization")
	password := flag.String("password", "", "their password")
	siteKey := flag.String("site-key", "", "a site key to push with")
	clients := flag.Int("clients", 10000, "SSE clients to hold open")
	pid := flag.Int("server-pid", 0, "the server's process id, to read its memory")
	timeout := flag.Duration("timeout", 60*time.Second, "how long to wait for the event")
	hold := flag.Duration("hold", 0, "keep the clients connected this long after the event (to profile the server)")
	flag.Parse()
	if err := run(*server, *email, *password, *siteKey, *clients, *pid, *timeout, *hold); err != nil {
		fmt.Fprintln(os.Stderr, "ssebench:", err)
		os.Exit(1)
	}
}

func run(server, email, password, siteKey string, n, pid int, timeout, hold time.Duration) error {
	token, err := login(server, email, password)
	if err != nil {
		return err
	}
	tr := &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n, DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext}
	client := &http.Client{Transport: tr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var connected, received atomic.Int64
	var mu sync.Mutex
	var arrivals []time.Duration
	var sent atomic.Int64 // unix nanos when the push was accepted
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", server+"/api/v1/events", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Accept", "text/event-stream")
			res, err := client.Do(req)
			if err != nil {
				return
			}
			defer res.Body.Close()
			if res.StatusCode != 200 {
				return
			}
			connected.Add(1)
			sc := bufio.NewScanner(res.Body)
			seen := false
			for sc.Scan() {
				if !seen && strings.HasPrefix(sc.Text(), "event: snapshot.processed") {
					if at := sent.Load(); at != 0 {
						d := time.Since(time.Unix(0, at))
						mu.Lock()
						arrivals = append(arrivals, d)
						mu.Unlock()
						received.Add(1)
						if hold == 0 {
							return
						}
						seen = true // held: read on until the end, counted once
					}
				}
			}
		}()
		if i%500 == 499 {
			time.Sleep(50 * time.Millisecond) // do not flood the accept queue
		}
	}
	for deadline := time.Now().Add(timeout); connected.Load() < int64(n) && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Printf("connected %d/%d clients in %s\n", connected.Load(), n, time.Since(start).Round(time.Millisecond))
	rssConnected := rss(pid)
	sent.Store(time.Now().UnixNano())
	if err := push(server, siteKey); err != nil {
		return err
	}
	for deadline := time.Now().Add(timeout); received.Load() < connected.Load() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i] < arrivals[j] })
	got := len(arrivals)
	var p50, p99, last time.Duration
	if got > 0 {
		p50, p99, last = arrivals[got/2], arrivals[min(got-1, got*99/100)], arrivals[got-1]
	}
	mu.Unlock()
	fmt.Printf("event reached %d/%d clients: p50 %s, p99 %s, last %s (push to delivery, worker included)\n",
		got, connected.Load(), p50.Round(time.Millisecond), p99.Round(time.Millisecond), last.Round(time.Millisecond))
	fmt.Printf("server RSS with the clients connected: %s (peak %s)\n", rssConnected, peak(pid))
	if hold > 0 {
		fmt.Printf("holding the clients for %s\n", hold)
		time.Sleep(hold)
	}
	cancel()
	wg.Wait()
	return nil
}

func login(server, email, password string) (string, error) {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := http.Post(server+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
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
		return "", fmt.Errorf("login: status %d", res.StatusCode)
	}
	return out.Data.AccessToken, nil
}

func push(server, key string) error {
	body := fmt.Sprintf(`{"collected_at":%q,"drupal":{"core_version":"10.3.6"},"modules":[{"name":"drupal","type":"core","version":"10.3.6"},{"name":"ssebench_%d","type":"module","version":"1.0.0","source":"custom"}]}`,
		time.Now().UTC().Format(time.RFC3339), time.Now().UnixNano())
	req, _ := http.NewRequest("POST", server+"/api/v1/ingest/inventory", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != 202 {
		return fmt.Errorf("push: status %d", res.StatusCode)
	}
	return nil
}

func rss(pid int) string  { return procStatus(pid, "VmRSS:") }
func peak(pid int) string { return procStatus(pid, "VmHWM:") }

func procStatus(pid int, field string) string {
	if pid == 0 {
		return "unknown (no -server-pid)"
	}
	b, err := os.ReadFile(filepath.Join("/proc", fmt.Sprint(pid), "status"))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			return strings.TrimSpace(strings.TrimPrefix(line, field))
		}
	}
	return "unknown"
}
