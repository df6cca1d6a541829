package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

const feedColumns = `project, body, content_hash, etag, last_modified, status, error, failures,
	fetched_at, changed_at, checked_at, next_attempt_at`

func scanFeed(sc interface{ Scan(...any) error }) (*fleetwatch.ReleaseFeed, error) {
	var (
		f                                  fleetwatch.ReleaseFeed
		fetched, changed, checked, attempt sql.NullTime
	)
	if err := sc.Scan(&f.Project, &f.Body, &f.ContentHash, &f.ETag, &f.LastModified, &f.Status, &f.Error, &f.Failures,
		&fetched, &changed, &checked, &attempt); err != nil {
		return nil, err
	}
	f.FetchedAt, f.ChangedAt, f.CheckedAt, f.NextAttempt = timePtr(fetched), timePtr(changed), timePtr(checked), timePtr(attempt)
	return &f, nil
}

// FindReleaseFeed returns the cached feed of project, ENOTFOUND when it was
// never fetched.
func (s *Store) FindReleaseFeed(ctx context.Context, project string) (*fleetwatch.ReleaseFeed, error) {
	f, err := scanFeed(s.rdb.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM release_feeds WHERE project = $1`, project))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "No release history of %s is cached.", project)
	} else if err != nil {
		return nil, fmt.Errorf("find release feed: %w", err)
	}
	return f, nil
}

// FindReleaseFeeds returns the cached feeds of the projects that have one.
func (s *Store) FindReleaseFeeds(ctx context.Context, projects []string) ([]*fleetwatch.ReleaseFeed, error) {
	return s.findReleaseFeeds(ctx, projects, "body")
}

// FindReleaseFeedHeads is FindReleaseFeeds without the bodies.
func (s *Store) FindReleaseFeedHeads(ctx context.Context, projects []string) ([]*fleetwatch.ReleaseFeed, error) {
	return s.findReleaseFeeds(ctx, projects, "NULL")
}

func (s *Store) findReleaseFeeds(ctx context.Context, projects []string, body string) ([]*fleetwatch.ReleaseFeed, error) {
	var out []*fleetwatch.ReleaseFeed
	for chunk := range chunks(projects, 500) {
		var c conds
		ph := make([]string, len(chunk))
		for i, p := range chunk {
			ph[i] = c.arg(p)
		}
		cols := strings.Replace(feedColumns, "body", body, 1)
		rows, err := s.rdb.QueryContext(ctx, `SELECT `+cols+` FROM release_feeds
			WHERE project IN (`+strings.Join(ph, ", ")+`)`, c.args...)
		if err != nil {
			return nil, fmt.Errorf("find release feeds: %w", err)
		}
		for rows.Next() {
			f, err := scanFeed(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan release feed: %w", err)
			}
			out = append(out, f)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("find release feeds: %w", err)
		}
	}
	return out, nil
}

// SaveReleaseFeed inserts or replaces the cache entry of f.Project.
func (s *Store) SaveReleaseFeed(ctx context.Context, f *fleetwatch.ReleaseFeed) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO release_feeds (project, body, content_hash, etag, last_modified, status, error, failures,
			fetched_at, changed_at, checked_at, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (project) DO UPDATE SET body = excluded.body, content_hash = excluded.content_hash,
			etag = excluded.etag, last_modified = excluded.last_modified, status = excluded.status,
			error = excluded.error, failures = excluded.failures, fetched_at = excluded.fetched_at,
			changed_at = excluded.changed_at, checked_at = excluded.checked_at,
			next_attempt_at = excluded.next_attempt_at`,
		f.Project, f.Body, f.ContentHash, f.ETag, f.LastModified, f.Status, f.Error, f.Failures,
		dbTimePtr(f.FetchedAt), dbTimePtr(f.ChangedAt), dbTimePtr(f.CheckedAt), dbTimePtr(f.NextAttempt), now())
	if err != nil {
		return fmt.Errorf("save release feed: %w", err)
	}
	return nil
}

// FindDueFeedProjects lists the drupal.org projects that some visible site
// runs whose feed was never fetched, was last checked before checkedBefore,
// or whose backoff after failures ended before now.
func (s *Store) FindDueFeedProjects(ctx context.Context, checkedBefore, at time.Time) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `
		SELECT m.module_name FROM modules m
		LEFT JOIN release_feeds f ON f.project = m.module_name
		WHERE m.source = 'drupal.org'
			AND EXISTS (SELECT 1 FROM site_modules sm JOIN sites s ON s.id = sm.site_id
				WHERE sm.module_id = m.id AND NOT s.is_deleted)
			AND (f.project IS NULL OR f.checked_at IS NULL
				OR (f.failures = 0 AND f.checked_at < $1)
				OR (f.failures > 0 AND (f.next_attempt_at IS NULL OR f.next_attempt_at <= $2)))
		ORDER BY m.module_name`, dbTime(checkedBefore), dbTime(at))
	if err != nil {
		return nil, fmt.Errorf("find due feeds: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("scan due feed: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find due feeds: %w", err)
	}
	return out, nil
}

// chunks yields s in slices of at most n, to keep IN lists and multi-row
// VALUES under both databases' limits on placeholders.
func chunks[T any](s []T, n int) func(func([]T) bool) {
	return func(yield func([]T) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}
