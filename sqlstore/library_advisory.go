package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"slices"
	"strings"

	"github.com/fleetwatch/fleetwatch/packagist"
)

// SaveLibraryAdvisories stores the advisories of PHP libraries, one row per
// package each names, in one transaction, and returns the packages whose
// advisories are new or changed, sorted: the ones whose sites the analysis
// re-judges. An advisory a refresh no longer reads is kept.
func (s *Store) SaveLibraryAdvisories(ctx context.Context, advs []*packagist.Advisory) ([]string, error) {
	changed := map[string]bool{}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		for _, a := range advs {
			body, err := json.Marshal(a)
			if err != nil {
				return fmt.Errorf("encode library advisory %s: %w", a.ID, err)
			}
			sum := sha256.Sum256(body)
			hash := hex.EncodeToString(sum[:])
			var pkgs []string
			for _, r := range a.Ranges {
				if !slices.Contains(pkgs, r.Package) {
					pkgs = append(pkgs, r.Package)
				}
			}
			for _, p := range pkgs {
				var got string
				err := tx.QueryRowContext(ctx, `
					INSERT INTO library_advisories (package, advisory_id, severity, body, content_hash, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6)
					ON CONFLICT (package, advisory_id) DO UPDATE SET severity = excluded.severity, body = excluded.body,
						content_hash = excluded.content_hash, updated_at = excluded.updated_at
					WHERE library_advisories.content_hash <> excluded.content_hash
					RETURNING package`, p, a.ID, a.Severity, string(body), hash, t).Scan(&got)
				switch {
				case err == sql.ErrNoRows: // stored as it is
				case err != nil:
					return fmt.Errorf("save library advisory %s of %s: %w", a.ID, p, err)
				default:
					changed[p] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(changed))
	for p := range changed {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}

// FindLibraryAdvisoryHeads returns, for each of the packages that has
// advisories, a digest of their ids and content hashes: it changes when an
// advisory of the package is added or changed, so that a reader that keeps
// them compiled reads the bodies again only then.
func (s *Store) FindLibraryAdvisoryHeads(ctx context.Context, packages []string) (map[string]string, error) {
	sums := map[string]hash.Hash{}
	err := s.eachLibraryAdvisory(ctx, "advisory_id, content_hash", packages, func(rows *sql.Rows) error {
		var pkg, id, h string
		if err := rows.Scan(&pkg, &id, &h); err != nil {
			return err
		}
		if sums[pkg] == nil {
			sums[pkg] = sha256.New()
		}
		fmt.Fprintf(sums[pkg], "%s %s\n", id, h)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find library advisory heads: %w", err)
	}
	out := make(map[string]string, len(sums))
	for pkg, h := range sums {
		out[pkg] = hex.EncodeToString(h.Sum(nil))
	}
	return out, nil
}

// FindLibraryAdvisories returns the advisories of each of the packages that
// has any, ready to judge versions against (compiled), by package. An
// advisory that names several of them is returned once per package.
func (s *Store) FindLibraryAdvisories(ctx context.Context, packages []string) (map[string][]*packagist.Advisory, error) {
	out := map[string][]*packagist.Advisory{}
	err := s.eachLibraryAdvisory(ctx, "body", packages, func(rows *sql.Rows) error {
		var pkg, body string
		if err := rows.Scan(&pkg, &body); err != nil {
			return err
		}
		var a packagist.Advisory
		if err := json.Unmarshal([]byte(body), &a); err != nil {
			return fmt.Errorf("decode the advisory of %s: %w", pkg, err)
		}
		if err := a.Compile(); err != nil {
			return fmt.Errorf("advisory %s of %s: %w", a.ID, pkg, err)
		}
		out[pkg] = append(out[pkg], &a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("find library advisories: %w", err)
	}
	return out, nil
}

// eachLibraryAdvisory runs scan on each stored row of the packages, in
// package and advisory id order; a row holds the package, then cols.
func (s *Store) eachLibraryAdvisory(ctx context.Context, cols string, packages []string, scan func(rows *sql.Rows) error) error {
	for chunk := range chunks(packages, 500) {
		var c conds
		ph := make([]string, len(chunk))
		for i, p := range chunk {
			ph[i] = c.arg(p)
		}
		rows, err := s.rdb.QueryContext(ctx, `SELECT package, `+cols+` FROM library_advisories
			WHERE package IN (`+strings.Join(ph, ", ")+`) ORDER BY package, advisory_id`, c.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
