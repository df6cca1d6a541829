package drupalorg_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/fleetwatch/fleetwatch/drupalorg"
)

// TestClient_FetchLibraryAdvisories reads the two mirrors of the
// fixtures: libraries' advisories go to the library set and Drupal's to
// FetchAdvisories, each reader passing over the other's files in silence.
func TestClient_FetchLibraryAdvisories(t *testing.T) {
	ctx := context.Background()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	t.Run("library mirror", func(t *testing.T) {
		logs.Reset()
		c, err := drupalorg.New(drupalorg.Config{AdvisoryURL: "file://../packagist/testdata/advisories", Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		set, err := c.FetchLibraryAdvisories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if findings, err := set.Check("guzzlehttp/guzzle", "7.4.2"); err != nil || len(findings) != 7 {
			t.Errorf("guzzle 7.4.2: %d findings, %v; want 7", len(findings), err)
		}
		advs, err := c.FetchAdvisories(ctx)
		if err != nil || len(advs) != 0 {
			t.Errorf("FetchAdvisories of a library mirror = %d advisories, %v", len(advs), err)
		}
		if logs.Len() > 0 {
			t.Errorf("warnings:\n%s", logs.String())
		}
	})
	t.Run("drupal mirror", func(t *testing.T) {
		logs.Reset()
		c, err := drupalorg.New(drupalorg.Config{AdvisoryURL: "file://../drupal/testdata/advisories", Logger: logger})
		if err != nil {
			t.Fatal(err)
		}
		set, err := c.FetchLibraryAdvisories(ctx)
		if err != nil || len(set.Advisories()) != 0 {
			t.Fatalf("library advisories of a Drupal mirror = %v, %v", set.Packages(), err)
		}
		if logs.Len() > 0 {
			t.Errorf("warnings:\n%s", logs.String())
		}
	})
	t.Run("api-d7 source", func(t *testing.T) {
		c, _ := drupalorg.New(drupalorg.Config{AdvisoryURL: "https://www.drupal.org/api-d7/node.json?type=sa"})
		if set, err := c.FetchLibraryAdvisories(ctx); err != nil || len(set.Advisories()) != 0 {
			t.Fatalf("= %v, %v", set, err)
		}
	})
	t.Run("missing folder", func(t *testing.T) {
		c, _ := drupalorg.New(drupalorg.Config{AdvisoryURL: "file://testdata/does-not-exist"})
		if _, err := c.FetchLibraryAdvisories(ctx); err == nil {
			t.Fatal("no error")
		}
	})
}
