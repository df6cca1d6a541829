package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// startVacuum runs VACUUM ANALYZE of the tables the ingest path churns
// every interval until the returned stop is called, on PostgreSQL only. A
// changed inventory closes and opens a history interval per project: with
// autovacuum off (some CI configurations) the dead rows pile up in the
// indexes and every read of the history slows down, which a production
// server's autovacuum prevents.
func startVacuum(dbURL string, every time.Duration) (stop func()) {
	if every <= 0 || !strings.HasPrefix(dbURL, "postgres") {
		return func() {}
	}
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen: vacuum:", err)
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			start := time.Now()
			if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE, TRUNCATE false) site_module_history, site_modules, sites, audit_logs, exposures`); err != nil && ctx.Err() == nil {
				fmt.Fprintln(os.Stderr, "loadgen: vacuum:", err)
			} else if ctx.Err() == nil {
				fmt.Printf("vacuum     %.1fs\n", time.Since(start).Seconds())
			}
		}
	}()
	return func() {
		cancel()
		<-done
		db.Close()
	}
}
