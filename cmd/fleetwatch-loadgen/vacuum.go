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
			if err := vacuum(ctx, db); err != nil && ctx.Err() == nil {
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

// vacuum runs one VACUUM ANALYZE of the churned tables, throttled as
// autovacuum is by default (PostgreSQL 12 and later: a 2 ms pause after
// each 200 cost units) rather than at full speed, which a manual VACUUM
// would take from the server's pushes.
func vacuum(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET vacuum_cost_delay = '2ms'`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `SET vacuum_cost_limit = 200`); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, `VACUUM (ANALYZE, TRUNCATE false) site_module_changes, site_modules, sites, audit_logs, exposures`)
	return err
}
