package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fleetwatch/fleetwatch/packagist"
	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestStore_LibraryAdvisories: the advisories of the real GitHub and
// FriendsOfPHP fixtures are stored once per package they name; a second
// save of the same set changes nothing, a changed advisory changes its
// packages only, and what is read back judges versions as the set did.
func TestStore_LibraryAdvisories(t *testing.T) {
	set, _, err := packagist.ReadFS(os.DirFS(filepath.Join("..", "packagist", "testdata", "advisories")))
	if err != nil {
		t.Fatal(err)
	}
	advs := set.Advisories()
	if len(advs) < 10 {
		t.Fatalf("%d advisories read from the fixtures", len(advs))
	}
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		changed, err := s.SaveLibraryAdvisories(ctx, advs)
		if err != nil {
			t.Fatal(err)
		}
		if want := set.Packages(); !slices.Equal(changed, want) {
			t.Fatalf("first save changed %d packages, want the %d the set names", len(changed), len(want))
		}
		if changed, err = s.SaveLibraryAdvisories(ctx, advs); err != nil || len(changed) != 0 {
			t.Fatalf("second save changed %v, %v; want nothing", changed, err)
		}

		got, err := s.FindLibraryAdvisories(ctx, []string{"guzzlehttp/guzzle", "no/such-package"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || len(got["guzzlehttp/guzzle"]) == 0 {
			t.Fatalf("FindLibraryAdvisories = %v, want guzzlehttp/guzzle's only", got)
		}
		stored := packagist.NewSet()
		for _, a := range got["guzzlehttp/guzzle"] {
			stored.Add(*a)
		}
		for _, v := range []string{"7.4.2", "7.4.5", "6.5.7", "7.9.2"} {
			want, err1 := set.Check("guzzlehttp/guzzle", v)
			have, err2 := stored.Check("guzzlehttp/guzzle", v)
			if err1 != nil || err2 != nil || len(want) != len(have) {
				t.Fatalf("guzzle %s: %d findings from the set (%v), %d from the store (%v)", v, len(want), err1, len(have), err2)
			}
			for i := range want {
				if want[i].Advisory.ID != have[i].Advisory.ID || want[i].Fixed != have[i].Fixed {
					t.Errorf("guzzle %s finding %d: stored %s fixed %q, want %s fixed %q", v, i,
						have[i].Advisory.ID, have[i].Fixed, want[i].Advisory.ID, want[i].Fixed)
				}
			}
		}
		if f, _ := stored.Check("guzzlehttp/guzzle", "7.4.2"); len(f) == 0 {
			t.Error("guzzle 7.4.2 has no finding; the fixtures hold its 2022 advisories")
		}

		heads, err := s.FindLibraryAdvisoryHeads(ctx, []string{"guzzlehttp/guzzle", "twig/twig", "no/such-package"})
		if err != nil || len(heads) != 2 || heads["guzzlehttp/guzzle"] == "" || heads["twig/twig"] == heads["guzzlehttp/guzzle"] {
			t.Fatalf("FindLibraryAdvisoryHeads = %v, %v", heads, err)
		}

		// A later severity of one advisory changes its packages only, and
		// their heads.
		a := *got["guzzlehttp/guzzle"][0]
		a.Severity = "not_critical"
		var pkgs []string
		for _, r := range a.Ranges {
			if !slices.Contains(pkgs, r.Package) {
				pkgs = append(pkgs, r.Package)
			}
		}
		slices.Sort(pkgs)
		if changed, err = s.SaveLibraryAdvisories(ctx, []*packagist.Advisory{&a}); err != nil || !slices.Equal(changed, pkgs) {
			t.Fatalf("changed advisory: changed %v, %v; want %v", changed, err, pkgs)
		}
		after, err := s.FindLibraryAdvisoryHeads(ctx, []string{"guzzlehttp/guzzle", "twig/twig"})
		if err != nil || after["guzzlehttp/guzzle"] == heads["guzzlehttp/guzzle"] || after["twig/twig"] != heads["twig/twig"] {
			t.Fatalf("heads after the change = %v, %v; before %v", after, err, heads)
		}
	})
}
