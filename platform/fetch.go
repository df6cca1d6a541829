package platform

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Fetch reads one product's end-of-life data from a URL: file:// (a
// mirror, and tests) or http(s) (endoflife.date's API,
// https://endoflife.date/api/php.json, or a product page), at most
// MaxDataBytes, and parses it with Parse.
func Fetch(ctx context.Context, client *http.Client, url string) ([]Cycle, error) {
	if path, ok := strings.CutPrefix(url, "file://"); ok {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read end-of-life data: %w", err)
		}
		defer f.Close()
		return Parse(f)
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		return nil, fmt.Errorf("end-of-life data URL %q: want file://, http:// or https://", url)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch end-of-life data: %w", err)
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch end-of-life data: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch end-of-life data: %s answered HTTP %d", url, res.StatusCode)
	}
	return Parse(io.LimitReader(res.Body, MaxDataBytes+1))
}
