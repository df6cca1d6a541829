package drupalorg

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
)

// FetchAdvisories reads the advisory source. An http(s) URL is an api-d7
// listing, followed through "next" for up to MaxAdvisoryPages pages, with
// project node ids resolved through api-d7 when the advisory's own links do
// not name its project. A file:// URL is one api-d7 listing, or a folder
// (searched recursively) of api-d7 listings and OSV files.
func (c *Client) FetchAdvisories(ctx context.Context) ([]*fleetwatch.Advisory, error) {
	start := time.Now()
	advs, err := c.fetchAdvisories(ctx)
	c.latency.WithLabelValues("advisories").Observe(time.Since(start).Seconds())
	result := resultOK
	if err != nil {
		result = resultOf(err)
		c.cfg.Logger.WarnContext(ctx, "advisory fetch failed", "result", result, "err", err)
	}
	c.fetches.WithLabelValues("advisories", result).Inc()
	if err == nil {
		c.lastOK.WithLabelValues("advisories").SetToCurrentTime()
	}
	return advs, err
}

func (c *Client) fetchAdvisories(ctx context.Context) ([]*fleetwatch.Advisory, error) {
	src := c.cfg.AdvisoryURL
	if src == "" {
		return nil, nil
	}
	var (
		parsed   []drupal.Advisory
		projects = map[string]string{}
	)
	if path, ok := strings.CutPrefix(src, "file://"); ok {
		var err error
		parsed, err = c.readAdvisoryFiles(path, projects)
		if err != nil {
			return nil, err
		}
	} else {
		next := src
		for page := 0; next != "" && page < c.cfg.MaxAdvisoryPages; page++ {
			resp, err := c.get(ctx, next, "", "", c.cfg.MaxAdvisoryBytes)
			if err != nil {
				return nil, err
			}
			if resp.NotFound {
				return nil, failed(resultNotFound, "advisory listing %s: not found", redact(next))
			}
			p, err := drupal.ParseAPID7(bytes.NewReader(resp.Body))
			if err != nil {
				return nil, &fetchError{resultInvalid, fmt.Errorf("advisory listing %s: %w", redact(next), err)}
			}
			parsed = append(parsed, p.Advisories...)
			for k, v := range p.Projects {
				projects[k] = v
			}
			next = p.Next
		}
		c.resolveProjects(ctx, src, parsed, projects)
	}
	out := make([]*fleetwatch.Advisory, 0, len(parsed))
	for _, a := range parsed {
		if a.Project == "" {
			a.Project = projects[a.ProjectNodeID]
		}
		out = append(out, toDomain(a))
	}
	return out, nil
}

// resolveProjects looks up, through api-d7, the machine names of the
// project nodes that no advisory link named. A failed lookup leaves the
// advisory without project: it is kept, and matches no release.
func (c *Client) resolveProjects(ctx context.Context, listing string, advs []drupal.Advisory, projects map[string]string) {
	u, err := url.Parse(listing)
	if err != nil {
		return
	}
	asked := map[string]bool{}
	for _, a := range advs {
		nid := a.ProjectNodeID
		if a.Project != "" || nid == "" || projects[nid] != "" || asked[nid] || len(asked) >= 50 {
			continue
		}
		asked[nid] = true
		q := url.Values{"nid": {nid}}
		lookup := u.Scheme + "://" + u.Host + "/api-d7/node.json?" + q.Encode()
		resp, err := c.get(ctx, lookup, "", "", 1<<20)
		if err != nil || resp.NotFound {
			continue
		}
		if p, err := drupal.ParseAPID7(bytes.NewReader(resp.Body)); err == nil {
			for k, v := range p.Projects {
				projects[k] = v
			}
		}
	}
}

// isYAML reports whether a mirror file is a FriendsOfPHP YAML advisory.
func isYAML(path string) bool {
	return strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")
}

// readAdvisoryFiles reads a file:// advisory mirror: a file, or a folder of
// api-d7 listings and OSV entries (.json: the Drupal Security Team's and
// GitHub's) and FriendsOfPHP entries (.yaml), in any layout.
func (c *Client) readAdvisoryFiles(path string, projects map[string]string) ([]drupal.Advisory, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, failed(resultNotFound, "advisory mirror: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		files = nil
		err := filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".json") || isYAML(p)) {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			return nil, failed(resultNetwork, "advisory mirror: %w", err)
		}
		sort.Strings(files)
	}
	var out []drupal.Advisory
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			return nil, failed(resultNetwork, "advisory mirror: %w", err)
		}
		if int64(len(body)) > c.cfg.MaxAdvisoryBytes {
			c.cfg.Logger.Warn("advisory file too large, skipped", "file", f)
			continue
		}
		if isYAML(f) {
			a, err := drupal.ParseFriendsOfPHP(bytes.NewReader(body))
			if errors.Is(err, drupal.ErrNotDrupalPackage) {
				continue // a library's, read by FetchLibraryAdvisories
			}
			if err != nil {
				c.cfg.Logger.Warn("advisory file skipped", "file", f, "err", err)
				continue
			}
			out = append(out, a)
			continue
		}
		var probe struct {
			List json.RawMessage `json:"list"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.List != nil {
			p, err := drupal.ParseAPID7(bytes.NewReader(body))
			if err != nil {
				c.cfg.Logger.Warn("advisory file skipped", "file", f, "err", err)
				continue
			}
			out = append(out, p.Advisories...)
			for k, v := range p.Projects {
				projects[k] = v
			}
			continue
		}
		a, err := drupal.ParseOSV(bytes.NewReader(body))
		if errors.Is(err, drupal.ErrNotDrupalPackage) {
			continue // a library's, read by FetchLibraryAdvisories
		}
		if errors.Is(err, drupal.ErrInvalidAdvisory) {
			c.cfg.Logger.Warn("advisory file skipped", "file", f, "err", err)
			continue
		}
		out = append(out, a)
	}
	// Sources that say the same advisory are merged as they are saved, a
	// later one's fields over an earlier one's: drupal.org's own last.
	slices.SortStableFunc(out, func(a, b drupal.Advisory) int { return cmp.Compare(sourceRank[a.Source], sourceRank[b.Source]) })
	return out, nil
}

// sourceRank orders advisory formats by authority, least first: GitHub's
// titles and FriendsOfPHP's lack the advisory's own words, the Drupal
// Security Team's OSV lacks its risk, drupal.org's api-d7 has everything.
var sourceRank = map[string]int{"ghsa": 0, "friendsofphp": 1, "osv": 2, "api-d7": 3}

func toDomain(a drupal.Advisory) *fleetwatch.Advisory {
	d := &fleetwatch.Advisory{
		AdvisoryID: a.ID, Project: a.Project, Title: a.Title, URL: a.URL,
		RiskLabel: a.RiskLabel, Severity: a.Severity, RiskVector: a.RiskVector,
		VulnerabilityType: a.VulnerabilityType, AffectedVersions: a.AffectedVersions,
		FixedVersions: a.FixedVersions, CVEs: a.CVEs, IsPSA: a.IsPSA, Source: a.Source,
	}
	if a.RiskScore >= 0 {
		score := a.RiskScore
		d.RiskScore = &score
	}
	if !a.Published.IsZero() {
		t := a.Published
		d.PublishedAt = &t
	}
	return d
}
