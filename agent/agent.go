// Package agent is the push agent that runs on a Drupal host: it collects
// the site's inventory — from drush when it is there, else from
// composer.lock and core/lib/Drupal.php — and pushes it to Fleetwatch's
// ingest API, with retries, backoff and a timeout.
package agent

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch/drupal"
)

// maxInput bounds what the agent reads from a file or from drush.
const maxInput = 32 << 20

// Module is one project of the inventory, as the ingest API takes it.
type Module struct {
	Name      string `json:"name"`
	Type      string `json:"type,omitempty"`
	Version   string `json:"version"`
	Datestamp int64  `json:"datestamp,omitempty"`
	Source    string `json:"source,omitempty"`
	Enabled   *bool  `json:"enabled,omitempty"`
}

// Drupal describes the installation.
type Drupal struct {
	CoreVersion string `json:"core_version,omitempty"`
	PHPVersion  string `json:"php_version,omitempty"`
	Profile     string `json:"profile,omitempty"`
}

// Inventory is the body of POST /api/v1/ingest/inventory.
type Inventory struct {
	SnapshotID  string   `json:"snapshot_id"`
	CollectedAt string   `json:"collected_at"`
	Drupal      Drupal   `json:"drupal"`
	Modules     []Module `json:"modules"`
}

// Source says where to collect from: a Drupal root (drush when found, else
// composer.lock) or one composer.lock file.
type Source struct {
	DrupalRoot   string
	ComposerLock string
	// Drush is the drush executable; "" looks in vendor/bin and on PATH.
	// "none" never uses drush.
	Drush string
}

// Collect gathers the inventory. The snapshot id is new for each call, and
// stays the same across the retries of one push.
func Collect(ctx context.Context, src Source) (*Inventory, error) {
	inv := &Inventory{SnapshotID: newUUID(), CollectedAt: time.Now().UTC().Format(time.RFC3339)}
	var items []drupal.Item
	switch {
	case src.ComposerLock != "":
		var err error
		if items, err = readLock(src.ComposerLock); err != nil {
			return nil, err
		}
	case src.DrupalRoot != "":
		if st, err := os.Stat(src.DrupalRoot); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--drupal-root %s is not a directory", src.DrupalRoot)
		}
		if drush := findDrush(src); drush != "" {
			var err error
			if items, inv.Drupal, err = fromDrush(ctx, drush, src.DrupalRoot); err != nil {
				return nil, err
			}
			break
		}
		lock := findLock(src.DrupalRoot)
		if lock == "" {
			return nil, fmt.Errorf("no drush and no composer.lock in %s or its parent: pass --composer-lock FILE", src.DrupalRoot)
		}
		var err error
		if items, err = readLock(lock); err != nil {
			return nil, err
		}
		if v := coreVersion(src.DrupalRoot); v != "" {
			inv.Drupal.CoreVersion = v
		}
	default:
		return nil, errors.New("pass --drupal-root DIR or --composer-lock FILE")
	}
	for _, it := range items {
		m := Module{Name: it.Name, Type: it.Type, Version: it.Version, Datestamp: it.Datestamp, Source: it.Source}
		if it.Name == drupal.CoreProject && inv.Drupal.CoreVersion != "" {
			m.Version = inv.Drupal.CoreVersion
		}
		if !it.Enabled {
			f := false
			m.Enabled = &f
		}
		if m.Version == "" {
			continue // nothing to compare; the server would refuse it
		}
		inv.Modules = append(inv.Modules, m)
	}
	if inv.Drupal.CoreVersion == "" {
		for _, m := range inv.Modules {
			if m.Name == drupal.CoreProject {
				inv.Drupal.CoreVersion = m.Version
			}
		}
	}
	return inv, nil
}

func readLock(path string) ([]drupal.Item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read composer.lock: %w", err)
	}
	defer f.Close()
	inv, err := drupal.ParseComposerLock(io.LimitReader(f, maxInput))
	if errors.Is(err, drupal.ErrNoDrupalPackages) {
		return nil, fmt.Errorf("%s has no drupal/* packages: is it the lock file of a Drupal site?", path)
	} else if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return inv.Items, nil
}

// findDrush returns the drush to run, or "".
func findDrush(src Source) string {
	switch src.Drush {
	case "none":
		return ""
	case "":
	default:
		return src.Drush
	}
	for _, p := range []string{filepath.Join(src.DrupalRoot, "..", "vendor", "bin", "drush"), filepath.Join(src.DrupalRoot, "vendor", "bin", "drush")} {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("drush"); err == nil {
		return p
	}
	return ""
}

func findLock(root string) string {
	for _, p := range []string{filepath.Join(root, "composer.lock"), filepath.Join(root, "..", "composer.lock")} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

var drupalVersion = regexp.MustCompile(`const VERSION = '([^']+)'`)

// coreVersion reads core/lib/Drupal.php of a Drupal root.
func coreVersion(root string) string {
	b, err := os.ReadFile(filepath.Join(root, "core", "lib", "Drupal.php"))
	if err != nil {
		return ""
	}
	if m := drupalVersion.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

func fromDrush(ctx context.Context, drush, root string) ([]drupal.Item, Drupal, error) {
	run := func(args ...string) ([]byte, error) {
		cmd := exec.CommandContext(ctx, drush, args...)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w: %s", drush, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return out, nil
	}
	out, err := run("pm:list", "--format=json")
	if err != nil {
		return nil, Drupal{}, err
	}
	inv, err := drupal.ParseDrushPMList(bytes.NewReader(out))
	if err != nil {
		return nil, Drupal{}, fmt.Errorf("drush pm:list: %w", err)
	}
	var d Drupal
	if out, err := run("core:status", "--format=json"); err == nil {
		d = parseCoreStatus(out)
	}
	return inv.Items, d, nil
}

// parseCoreStatus reads the output of drush core:status --format=json;
// output it cannot read gives nothing (the status is a nicety).
func parseCoreStatus(out []byte) Drupal {
	var st struct {
		DrupalVersion  string `json:"drupal-version"`
		PHPVersion     string `json:"php-version"`
		InstallProfile string `json:"install-profile"`
	}
	if json.Unmarshal(out, &st) != nil {
		return Drupal{}
	}
	return Drupal{CoreVersion: st.DrupalVersion, PHPVersion: st.PHPVersion, Profile: st.InstallProfile}
}

// Pusher pushes inventories to a Fleetwatch server.
type Pusher struct {
	Server  string // https://fleetwatch.example.com
	Key     string // a site key, fwk_…
	Timeout time.Duration
	Retries int // further attempts after the first, on network errors, 429 and 5xx
	// Backoff is the wait before the first retry; it doubles each time.
	Backoff time.Duration
	Client  *http.Client
	Logf    func(format string, args ...any)
}

// Result is the server's answer to an accepted push.
type Result struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Duplicate bool   `json:"duplicate"`
}

// Push sends the inventory and returns the audit log the server made.
func (p *Pusher) Push(ctx context.Context, inv *Inventory) (*Result, error) {
	body, err := json.Marshal(inv)
	if err != nil {
		return nil, err
	}
	backoff := p.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	for attempt := 0; ; attempt++ {
		res, retryAfter, err := p.post(ctx, "/api/v1/ingest/inventory", body)
		if err == nil {
			return res, nil
		}
		var perm *permanentError
		if errors.As(err, &perm) || attempt >= p.Retries || ctx.Err() != nil {
			return nil, err
		}
		wait := max(backoff, retryAfter)
		if p.Logf != nil {
			p.Logf("push failed (%v); retrying in %s", err, wait)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		backoff *= 2
	}
}

// permanentError is an answer that retrying cannot change.
type permanentError struct{ msg string }

func (e *permanentError) Error() string { return e.msg }

func (p *Pusher) post(ctx context.Context, path string, body []byte) (*Result, time.Duration, error) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(p.Server, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, 0, &permanentError{fmt.Sprintf("bad --server %q: %v", p.Server, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.Key)
	req.Header.Set("User-Agent", "fleetwatch-agent")
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("reach %s: %w", p.Server, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var env struct {
		Data   Result `json:"data"`
		Errors []struct {
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(raw, &env)
	var details []string
	for _, e := range env.Errors {
		details = append(details, e.Detail)
	}
	detail := strings.Join(details, "; ")
	switch {
	case resp.StatusCode == http.StatusAccepted:
		return &env.Data, 0, nil
	case resp.StatusCode == http.StatusUnauthorized:
		return nil, 0, &permanentError{"the server refused the key (401): check --key; it may be wrong or revoked"}
	case resp.StatusCode == http.StatusForbidden:
		return nil, 0, &permanentError{"the key may not push (403): use a site key (fwk_…): " + detail}
	case resp.StatusCode == http.StatusRequestEntityTooLarge:
		return nil, 0, &permanentError{fmt.Sprintf("the inventory is too large for the server (413, %d bytes): %s", len(body), detail)}
	case resp.StatusCode == http.StatusUnprocessableEntity || resp.StatusCode == http.StatusBadRequest:
		return nil, 0, &permanentError{fmt.Sprintf("the server rejected the inventory (%d): %s", resp.StatusCode, detail)}
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return nil, time.Duration(retry) * time.Second, fmt.Errorf("server answered %d: %s", resp.StatusCode, detail)
	}
	return nil, 0, &permanentError{fmt.Sprintf("unexpected answer %d from the server: %s", resp.StatusCode, detail)}
}

func newUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
