package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// SaveAdvisories inserts or merges advisories by AdvisoryID, in one
// transaction: a field one source leaves empty (OSV has no risk data, api-d7
// often no fixed versions) keeps what another source gave; fixed versions
// and CVEs are the union. It fills ID.
func (s *Store) SaveAdvisories(ctx context.Context, advs []*fleetwatch.Advisory) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		for _, a := range advs {
			old, err := findAdvisory(ctx, tx, a.AdvisoryID)
			if err != nil {
				return err
			}
			if old != nil {
				mergeAdvisory(a, old)
			}
			fixed, cves := jsonList(a.FixedVersions), jsonList(a.CVEs)
			var severity any
			if a.Severity != "" {
				severity = a.Severity
			}
			if err := tx.QueryRowContext(ctx, `
				INSERT INTO advisories (advisory_id, project, title, url, risk_label, severity, risk_score, risk_vector,
					vulnerability_type, affected_versions, fixed_versions, cves, is_psa, source, published_at,
					created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
				ON CONFLICT (advisory_id) DO UPDATE SET project = excluded.project, title = excluded.title,
					url = excluded.url, risk_label = excluded.risk_label, severity = excluded.severity,
					risk_score = excluded.risk_score, risk_vector = excluded.risk_vector,
					vulnerability_type = excluded.vulnerability_type, affected_versions = excluded.affected_versions,
					fixed_versions = excluded.fixed_versions, cves = excluded.cves, is_psa = excluded.is_psa,
					source = excluded.source, published_at = excluded.published_at, updated_at = excluded.updated_at
				RETURNING id`,
				a.AdvisoryID, a.Project, a.Title, a.URL, a.RiskLabel, severity, a.RiskScore, a.RiskVector,
				a.VulnerabilityType, a.AffectedVersions, fixed, cves, a.IsPSA, a.Source,
				dbTimePtr(a.PublishedAt), t,
			).Scan(&a.ID); err != nil {
				return fmt.Errorf("save advisory %s: %w", a.AdvisoryID, err)
			}
		}
		return nil
	})
}

// mergeAdvisory fills the empty fields of a from old, the stored advisory.
func mergeAdvisory(a, old *fleetwatch.Advisory) {
	str := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	str(&a.Project, old.Project)
	str(&a.Title, old.Title)
	str(&a.URL, old.URL)
	str(&a.RiskLabel, old.RiskLabel)
	str(&a.Severity, old.Severity)
	str(&a.RiskVector, old.RiskVector)
	str(&a.VulnerabilityType, old.VulnerabilityType)
	str(&a.AffectedVersions, old.AffectedVersions)
	if a.RiskScore == nil {
		a.RiskScore = old.RiskScore
	}
	if a.PublishedAt == nil {
		a.PublishedAt = old.PublishedAt
	}
	// The sources that gave it, each once, in the order they first did.
	if old.Source != "" && a.Source != "" && !slices.Contains(strings.Split(old.Source, ","), a.Source) {
		a.Source = old.Source + "," + a.Source
		if len(a.Source) > 100 {
			a.Source = old.Source
		}
	} else if old.Source != "" {
		a.Source = old.Source
	}
	a.FixedVersions = union(old.FixedVersions, a.FixedVersions)
	a.CVEs = union(old.CVEs, a.CVEs)
	a.IsPSA = a.IsPSA || old.IsPSA
}

func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, v := range b {
		found := false
		for _, w := range out {
			found = found || w == v
		}
		if !found {
			out = append(out, v)
		}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const advisoryColumns = `id, advisory_id, project, title, url, risk_label, severity, risk_score, risk_vector,
	vulnerability_type, affected_versions, fixed_versions, cves, is_psa, source, published_at`

func scanAdvisory(sc interface{ Scan(...any) error }) (*fleetwatch.Advisory, error) {
	var (
		a           fleetwatch.Advisory
		severity    sql.NullString
		score       sql.NullInt64
		fixed, cves string
		published   sql.NullTime
	)
	if err := sc.Scan(&a.ID, &a.AdvisoryID, &a.Project, &a.Title, &a.URL, &a.RiskLabel, &severity, &score, &a.RiskVector,
		&a.VulnerabilityType, &a.AffectedVersions, &fixed, &cves, &a.IsPSA, &a.Source, &published); err != nil {
		return nil, err
	}
	a.Severity = severity.String
	if score.Valid {
		v := int(score.Int64)
		a.RiskScore = &v
	}
	if err := json.Unmarshal([]byte(fixed), &a.FixedVersions); err != nil {
		return nil, fmt.Errorf("fixed versions: %w", err)
	}
	if err := json.Unmarshal([]byte(cves), &a.CVEs); err != nil {
		return nil, fmt.Errorf("cves: %w", err)
	}
	a.PublishedAt = timePtr(published)
	return &a, nil
}

// findAdvisory returns the advisory, or nil when there is none.
func findAdvisory(ctx context.Context, q querier, advisoryID string) (*fleetwatch.Advisory, error) {
	a, err := scanAdvisory(q.QueryRowContext(ctx, `SELECT `+advisoryColumns+` FROM advisories WHERE advisory_id = $1`, advisoryID))
	if err == sql.ErrNoRows {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("find advisory: %w", err)
	}
	return a, nil
}

// FindAdvisoriesByProject returns every advisory of the project, newest first.
func (s *Store) FindAdvisoriesByProject(ctx context.Context, project string) ([]*fleetwatch.Advisory, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+advisoryColumns+` FROM advisories
		WHERE project = $1 ORDER BY published_at DESC NULLS LAST, id DESC`, project)
	if err != nil {
		return nil, fmt.Errorf("find advisories: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.Advisory
	for rows.Next() {
		a, err := scanAdvisory(rows)
		if err != nil {
			return nil, fmt.Errorf("scan advisory: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find advisories: %w", err)
	}
	return out, nil
}

// FindAdvisoryProjects lists the projects that have advisories.
func (s *Store) FindAdvisoryProjects(ctx context.Context) ([]string, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT DISTINCT project FROM advisories WHERE project <> '' ORDER BY project`)
	if err != nil {
		return nil, fmt.Errorf("find advisory projects: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("scan advisory project: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find advisory projects: %w", err)
	}
	return out, nil
}
