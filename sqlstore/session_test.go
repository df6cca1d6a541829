package sqlstore_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

func TestUseToken(t *testing.T) {
	sqlstoretest.ForEach(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		exp := time.Now().Add(5 * time.Minute)
		// Of concurrent uses of one token, exactly one wins.
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.UseToken(ctx, "jti-1", exp)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Errorf("%d of 8 concurrent uses succeeded, want 1", n)
		}
		if ok, err := s.UseToken(ctx, "jti-1", exp); err != nil || ok {
			t.Errorf("reuse: %v %v, want false", ok, err)
		}
		if ok, err := s.UseToken(ctx, "jti-2", exp); err != nil || !ok {
			t.Errorf("another token: %v %v, want true", ok, err)
		}
		// Records of expired tokens are pruned.
		if ok, err := s.UseToken(ctx, "jti-old", time.Now().Add(-time.Minute)); err != nil || !ok {
			t.Fatalf("old token: %v %v", ok, err)
		}
		if _, err := s.UseToken(ctx, "jti-3", exp); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := s.WriterDB().QueryRowContext(ctx, `SELECT count(*) FROM used_tokens WHERE id = 'jti-old'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("the expired token's record was not pruned")
		}
	})
}
