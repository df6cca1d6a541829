package sqlstore_test

import (
	"context"
	"regexp"
	"sync"
	"testing"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// TestStore_Installation: the first migration gives an installation a
// random UUID; the first key check value stored stays.
func TestStore_Installation(t *testing.T) {
	var (
		mu  sync.Mutex
		ids []string
	)
	t.Cleanup(func() { // after both backends' subtests
		if len(ids) == 2 && ids[0] == ids[1] {
			t.Errorf("two databases share the installation id %s", ids[0])
		}
	})
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		id, err := s.InstallationID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
			t.Errorf("installation id %q is not a random UUID", id)
		}
		if again, _ := s.InstallationID(ctx); again != id {
			t.Errorf("installation id changed: %q then %q", id, again)
		}
		mu.Lock()
		ids = append(ids, id)
		mu.Unlock()
		if got, err := s.ClaimKeyCheck(ctx, "first"); err != nil || got != "first" {
			t.Fatalf("first claim: %q %v", got, err)
		}
		if got, err := s.ClaimKeyCheck(ctx, "second"); err != nil || got != "first" {
			t.Errorf("second claim: %q %v, want the first value kept", got, err)
		}
	})
}
