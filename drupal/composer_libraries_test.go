package drupal

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/fleetwatch/fleetwatch/packagist"
)

// TestParseComposerLock_Libraries checks that every package that is not a
// Drupal project is kept as a library, and that Items do not change.
func TestParseComposerLock_Libraries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		lock      string
		items     []string
		libraries []packagist.Library
	}{{
		name: "core and libraries",
		lock: `{"packages":[
			{"name":"drupal/core","version":"10.3.6","type":"drupal-core","notification-url":"https://packages.drupal.org/8/downloads"},
			{"name":"drupal/core-recommended","version":"10.3.6","type":"metapackage"},
			{"name":"guzzlehttp/guzzle","version":"7.9.2","type":"library","notification-url":"https://packagist.org/downloads/",
			 "source":{"type":"git","url":"https://user:secret@github.com/guzzle/guzzle.git","reference":"d281ed3"}},
			{"name":"symfony/process","version":"v6.4.12","type":"library","notification-url":"https://packagist.org/downloads/"},
			{"name":"acme/internal","version":"dev-main","type":"library"},
			{"name":"drupal/ctools","version":"4.1.0","type":"drupal-module"}],
		 "packages-dev":[
			{"name":"phpunit/phpunit","version":"9.6.21","type":"library","notification-url":"https://packagist.org/downloads/"},
			{"name":"symfony/process","version":"v6.4.12","type":"library"}]}`,
		items: []string{"drupal 10.3.6", "ctools 4.1.0"},
		libraries: []packagist.Library{
			{Name: "drupal/core-recommended", Version: "10.3.6", Type: "metapackage"},
			{Name: "guzzlehttp/guzzle", Version: "7.9.2", Type: "library", Source: "packagist.org"},
			{Name: "symfony/process", Version: "v6.4.12", Type: "library", Source: "packagist.org"},
			{Name: "acme/internal", Version: "dev-main", Type: "library"},
			{Name: "phpunit/phpunit", Version: "9.6.21", Dev: true, Type: "library", Source: "packagist.org"},
		},
	}, {
		name: "core-recommended stands for core",
		lock: `{"packages":[
			{"name":"drupal/core-recommended","version":"10.3.6","type":"metapackage"},
			{"name":"twig/twig","version":"v3.14.0","type":"library","extra":"not an object"}]}`,
		items:     []string{"drupal 10.3.6"},
		libraries: []packagist.Library{{Name: "twig/twig", Version: "v3.14.0", Type: "library"}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			inv, err := ParseComposerLock(strings.NewReader(tc.lock))
			if err != nil {
				t.Fatal(err)
			}
			var items []string
			for _, it := range inv.Items {
				items = append(items, it.Name+" "+it.Version)
			}
			if diff := cmp.Diff(tc.items, items); diff != "" {
				t.Errorf("items (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.libraries, inv.Libraries); diff != "" {
				t.Errorf("libraries (-want +got):\n%s", diff)
			}
		})
	}
}
