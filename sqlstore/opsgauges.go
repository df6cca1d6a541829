package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OpsGauges is the state of the queues and the fleet that an operator
// alerts on, read at once for a metrics scrape. Every query reads a partial
// index or a small table, so that a scrape costs milliseconds on a big
// fleet too.
type OpsGauges struct {
	// Payloads counts audit logs by status, for queued, processing and
	// failed only (processed ones are most rows and tell nothing).
	Payloads map[string]int64
	// OldestQueued is when the oldest queued payload was received; nil
	// when none is queued.
	OldestQueued *time.Time
	// Feeds counts release-history feeds by status (ok, not_found,
	// invalid, error, pending).
	Feeds map[string]int64
	// FeedsLastFetched is the last time any feed was fetched or confirmed
	// unchanged; nil before the first.
	FeedsLastFetched *time.Time
	// Deliveries counts notification deliveries not sent, by channel and
	// status (pending, failed).
	Deliveries map[[2]string]int64
	// OpenExposures counts open exposures by severity.
	OpenExposures map[string]int64
	// OverdueExposures counts open exposures past their due date.
	OverdueExposures int64
}

// ReadOpsGauges reads the gauges; now decides what is overdue.
func (s *Store) ReadOpsGauges(ctx context.Context, now time.Time) (*OpsGauges, error) {
	g := &OpsGauges{Payloads: map[string]int64{}, Feeds: map[string]int64{}, Deliveries: map[[2]string]int64{}, OpenExposures: map[string]int64{}}
	counts := func(q string, fn func(key [2]string, n int64), args ...any) error {
		rows, err := s.rdb.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k [2]string
			var n int64
			if err := rows.Scan(&k[0], &k[1], &n); err != nil {
				return err
			}
			fn(k, n)
		}
		return rows.Err()
	}
	latest := func(q string) (*time.Time, error) {
		var t sql.NullTime
		if err := s.rdb.QueryRowContext(ctx, q).Scan(&t); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return timePtr(t), nil
	}
	var err error
	if err = counts(`SELECT status, '', count(*) FROM audit_logs WHERE status IN ('queued', 'processing', 'failed') GROUP BY status`,
		func(k [2]string, n int64) { g.Payloads[k[0]] = n }); err != nil {
		return nil, fmt.Errorf("count payloads: %w", err)
	}
	if g.OldestQueued, err = latest(`SELECT created_at FROM audit_logs WHERE status = 'queued' ORDER BY id LIMIT 1`); err != nil {
		return nil, fmt.Errorf("oldest queued payload: %w", err)
	}
	if err = counts(`SELECT status, '', count(*) FROM release_feeds GROUP BY status`,
		func(k [2]string, n int64) { g.Feeds[k[0]] = n }); err != nil {
		return nil, fmt.Errorf("count feeds: %w", err)
	}
	if g.FeedsLastFetched, err = latest(`SELECT fetched_at FROM release_feeds WHERE fetched_at IS NOT NULL ORDER BY fetched_at DESC LIMIT 1`); err != nil {
		return nil, fmt.Errorf("last feed fetch: %w", err)
	}
	if err = counts(`SELECT channel, status, count(*) FROM notification_deliveries WHERE status <> 'sent' GROUP BY channel, status`,
		func(k [2]string, n int64) { g.Deliveries[k] = n }); err != nil {
		return nil, fmt.Errorf("count deliveries: %w", err)
	}
	if err = counts(`SELECT severity, '', count(*) FROM exposures WHERE resolved_at IS NULL GROUP BY severity`,
		func(k [2]string, n int64) { g.OpenExposures[k[0]] = n }); err != nil {
		return nil, fmt.Errorf("count exposures: %w", err)
	}
	if err = s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM exposures WHERE resolved_at IS NULL AND due_at < $1`, dbTime(now)).Scan(&g.OverdueExposures); err != nil {
		return nil, fmt.Errorf("count overdue exposures: %w", err)
	}
	return g, nil
}
