package drupalorg

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch/packagist"
)

// FetchLibraryAdvisories reads the advisories of PHP libraries from the
// advisory source when it is a file:// folder: the mirror that holds
// drupal.org's formats holds GitHub's OSV entries and FriendsOfPHP's YAML
// for every package, and packagist reads the libraries' ones (Drupal
// projects' are FetchAdvisories'). An http(s) source (drupal.org's api-d7)
// has none: the set is empty. Files that do not parse are logged and
// skipped.
func (c *Client) FetchLibraryAdvisories(ctx context.Context) (*packagist.Set, error) {
	start := time.Now()
	set, err := c.fetchLibraryAdvisories(ctx)
	c.latency.WithLabelValues("library_advisories").Observe(time.Since(start).Seconds())
	result := resultOK
	if err != nil {
		result = resultOf(err)
		c.cfg.Logger.WarnContext(ctx, "library advisory read failed", "result", result, "err", err)
	}
	c.fetches.WithLabelValues("library_advisories", result).Inc()
	if err == nil {
		c.lastOK.WithLabelValues("library_advisories").SetToCurrentTime()
	}
	return set, err
}

func (c *Client) fetchLibraryAdvisories(ctx context.Context) (*packagist.Set, error) {
	path, ok := strings.CutPrefix(c.cfg.AdvisoryURL, "file://")
	if !ok {
		return packagist.NewSet(), nil
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, failed(resultNotFound, "library advisory mirror: %w", err)
	}
	if !st.IsDir() {
		return packagist.NewSet(), nil // one api-d7 listing: drupal.org's only
	}
	set, skipped, err := packagist.ReadFS(os.DirFS(path))
	if err != nil {
		return nil, failed(resultNetwork, "library advisory mirror: %w", err)
	}
	for _, e := range skipped {
		c.cfg.Logger.WarnContext(ctx, "library advisory file skipped", "err", e)
	}
	return set, nil
}
