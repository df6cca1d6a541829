package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
)

const installColumns = `sm.site_id, sm.module_id, s.organization_id, m.module_name, m.source,
	COALESCE(sm.current_version_id, 0), COALESCE(mv.version_number, ''), sm.datestamp, s.core_version, s.first_seen_at,
	sm.status, sm.latest_version, sm.recommended_version, sm.severity,
	sm.security_updates, sm.also_available, COALESCE(vr.digest, '')`

const installFrom = `FROM site_modules sm
	JOIN modules m ON m.id = sm.module_id
	JOIN sites s ON s.id = sm.site_id
	LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
	LEFT JOIN verdict_reasons vr ON vr.id = sm.reasons_id`

// scanInstall reads a row of installColumns; fingerprints are the
// read's so far.
func scanInstall(sc interface{ Scan(...any) error }, fingerprints verdictFingerprints) (*fleetwatch.Install, error) {
	var (
		in        fleetwatch.Install
		firstSeen sql.NullTime
		severity  sql.NullString
		v         verdictText
	)
	if err := sc.Scan(&in.SiteID, &in.ModuleID, &in.OrganizationID, &in.Project, &in.Source,
		&in.VersionID, &in.Version, &in.Datestamp, &in.CoreVersion, &firstSeen,
		&in.Status, &v.latest, &v.recommended, &severity, &v.securityUpdates, &v.also, &v.reasonsDigest); err != nil {
		return nil, err
	}
	in.FirstSeenAt = timePtr(firstSeen)
	v.status, v.severity = in.Status, severity.String
	var err error
	if in.Fingerprint, err = fingerprints.of(v); err != nil {
		return nil, err
	}
	return &in, nil
}

// verdictText is a verdict's columns as site_modules holds them, with
// the digest of its reasons.
type verdictText struct {
	status, latest, recommended, severity, securityUpdates, also, reasonsDigest string
}

// verdictFingerprints are the fingerprints of the verdicts one read met,
// each decoded and digested once: the rows of one project at one version
// mostly share theirs.
type verdictFingerprints map[verdictText]string

// of returns the AnalysisFingerprint of v.
func (f verdictFingerprints) of(v verdictText) (string, error) {
	if fp, ok := f[v]; ok {
		return fp, nil
	}
	var sec, av []string
	if err := errors.Join(json.Unmarshal([]byte(v.securityUpdates), &sec), json.Unmarshal([]byte(v.also), &av)); err != nil {
		return "", fmt.Errorf("analysis columns: %w", err)
	}
	fp := fleetwatch.AnalysisFingerprint(v.status, v.latest, v.recommended, v.severity, sec, av, v.reasonsDigest)
	f[v] = fp
	return fp, nil
}

func findInstalls(ctx context.Context, q querier, cond string, args ...any) ([]*fleetwatch.Install, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+installColumns+` `+installFrom+`
		WHERE NOT s.is_deleted AND `+cond+` ORDER BY sm.site_id, sm.module_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find installs: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.Install
	fingerprints := verdictFingerprints{}
	for rows.Next() {
		in, err := scanInstall(rows, fingerprints)
		if err != nil {
			return nil, fmt.Errorf("scan install: %w", err)
		}
		out = append(out, in)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find installs: %w", err)
	}
	return out, nil
}

// FindProjectInstalls returns every (site, project) of visible sites that
// runs project.
func (s *Store) FindProjectInstalls(ctx context.Context, project string) ([]*fleetwatch.Install, error) {
	return findInstalls(ctx, s.rdb, `m.module_name = $1`, project)
}

// FindSiteInstalls returns every (site, project) of the sites.
func (s *Store) FindSiteInstalls(ctx context.Context, siteIDs []int64) ([]*fleetwatch.Install, error) {
	var out []*fleetwatch.Install
	for chunk := range chunks(siteIDs, 500) {
		var c conds
		got, err := findInstalls(ctx, s.rdb, c.in(s.d, "sm.site_id", chunk), c.args...)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	return out, nil
}

// SaveReleases upserts the releases of a project's feed into module_versions,
// creating the module when no site reported it yet, and links each security
// release to the advisory it fixes (advisory ids by version).
func (s *Store) SaveReleases(ctx context.Context, project string, releases []fleetwatch.ReleaseInfo, advisories map[string]string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		t := now()
		typ := "module"
		if project == drupal.CoreProject {
			typ = "core"
		}
		var moduleID int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM modules WHERE module_name = $1`, project).Scan(&moduleID)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRowContext(ctx, `INSERT INTO modules (module_name, drupal_link, type, source, created_at, updated_at)
				VALUES ($1, $2, $3, 'drupal.org', $4, $4) RETURNING id`,
				project, "https://www.drupal.org/project/"+project, typ, t).Scan(&moduleID)
		}
		if err != nil {
			return fmt.Errorf("save releases: module: %w", err)
		}
		for _, r := range releases {
			var sa any
			if id := advisories[r.Version]; id != "" {
				sa = id
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO module_versions (module_id, version_number, release_date, is_security_update, has_bug_fixes,
					has_new_features, is_published, is_insecure, is_revoked, is_unsupported, core_compatibility,
					security_covered, severity, advisory_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
					(SELECT severity FROM advisories WHERE advisory_id = $13),
					(SELECT id FROM advisories WHERE advisory_id = $13), $14, $14)
				ON CONFLICT (module_id, version_number) DO UPDATE SET release_date = excluded.release_date,
					is_security_update = excluded.is_security_update, has_bug_fixes = excluded.has_bug_fixes,
					has_new_features = excluded.has_new_features, is_published = excluded.is_published,
					is_insecure = excluded.is_insecure, is_revoked = excluded.is_revoked,
					is_unsupported = excluded.is_unsupported, core_compatibility = excluded.core_compatibility,
					security_covered = excluded.security_covered, severity = excluded.severity,
					advisory_id = excluded.advisory_id, updated_at = excluded.updated_at`,
				moduleID, r.Version, dbTimePtr(r.ReleaseDate), r.SecurityUpdate, r.BugFixes, r.NewFeatures,
				r.Published, r.Insecure, r.Revoked, r.Unsupported, r.CoreCompatibility, r.SecurityCovered, sa, t,
			); err != nil {
				return fmt.Errorf("save release %s %s: %w", project, r.Version, err)
			}
		}
		return nil
	})
}

// SaveAnalyses writes the verdicts of a recompute in one transaction and
// opens, resolves and updates the exposures of their rows in that same
// transaction (followVerdicts). A verdict whose site no longer runs
// VersionID (a push came in between) is skipped: the push's own verdict
// wins. An ExposureOnly one writes only its open exposure. Verdicts with
// the same result for the same version are written by one statement, so
// that a feed change across thousands of sites costs a few statements.
func (s *Store) SaveAnalyses(ctx context.Context, vs []*fleetwatch.ModuleVerdict, at time.Time) (fleetwatch.ExposureChanges, error) {
	var changes fleetwatch.ExposureChanges
	if len(vs) == 0 {
		return changes, nil
	}
	err := s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		at := dbTime(at)
		// Lock the sites first, in id order, as the push does: a push and
		// a feed change touching the same site then queue instead of
		// deadlocking (site row, then its site_modules).
		var ids []int64
		for _, v := range vs {
			ids = append(ids, v.SiteID)
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		if err := lockSiteIDs(ctx, tx, s.d, ids); err != nil {
			return err
		}
		adjust, restamp, err := writeVerdictRows(ctx, tx, s.d, vs, at)
		if err != nil {
			return err
		}
		if err := restampSites(ctx, tx, s.d, restamp); err != nil {
			return err
		}
		if err := adjustSiteCounters(ctx, tx, s.d, adjust, counted); err != nil {
			return err
		}
		// The invariant holds per project, so one pass per project keeps
		// each statement to one scan, however many sites changed.
		var scopes []rowScope
		for _, m := range moduleIDsOf(vs) {
			scopes = append(scopes, rowScope{moduleID: m})
		}
		changes, err = followVerdicts(ctx, tx, s.d, counted, index(vs), scopes, nil, at)
		return err
	})
	if err != nil {
		return fleetwatch.ExposureChanges{}, err
	}
	return changes, nil
}

// lockSiteIDs locks the sites (PostgreSQL; SQLite's one writer holds them
// all), ids sorted.
func lockSiteIDs(ctx context.Context, tx *sql.Tx, d *dialect, ids []int64) error {
	if d.lockSite == "" {
		return nil
	}
	for chunk := range chunks(ids, d.inBatch()) {
		var c conds
		if _, err := tx.ExecContext(ctx, `SELECT id FROM sites WHERE `+c.in(d, "id", chunk)+` ORDER BY id`+d.lockSite, c.args...); err != nil {
			return fmt.Errorf("lock sites: %w", err)
		}
	}
	return nil
}

// moduleIDsOf returns the projects of vs, sorted.
func moduleIDsOf(vs []*fleetwatch.ModuleVerdict) []int64 {
	var out []int64
	for _, v := range vs {
		out = append(out, v.ModuleID)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// writeVerdictRows writes the verdicts that are not ExposureOnly to the
// site_modules rows still at the version they judged, by project, version
// and result (Fingerprint), with the history following the status
// (splitHistory). It returns the sites whose rows it wrote: those where a
// row's update_available or security_update changed, with what the change
// adds to their counts (adjust), and the others, sorted (restamp), whose
// module list changed all the same.
func writeVerdictRows(ctx context.Context, tx *sql.Tx, d *dialect, vs []*fleetwatch.ModuleVerdict, at time.Time) (adjust map[int64][2]int64, restamp []int64, err error) {
	type key struct {
		module, version int64
		fingerprint     string
	}
	groups := map[key][]int64{}
	first := map[key]*fleetwatch.ModuleVerdict{}
	var order []key
	for _, v := range vs {
		if v.ExposureOnly {
			continue
		}
		k := key{v.ModuleID, v.VersionID, v.Fingerprint}
		if _, ok := groups[k]; !ok {
			order, first[k] = append(order, k), v
		}
		groups[k] = append(groups[k], v.SiteID)
	}
	stored := make([]*storedVerdict, len(order))
	for i, k := range order {
		v := first[k]
		sv := newStoredVerdict(v.Status, v.UpdateAvailable, v.SecurityUpdate, v.LatestVersion, v.RecommendedVersion,
			v.SecurityUpdates, v.Severity, v.AlsoAvailable, v.Reasons)
		stored[i] = &sv
	}
	if err := linkReasons(ctx, tx, d, stored); err != nil {
		return nil, nil, err
	}
	adjust = map[int64][2]int64{}
	for i, k := range order {
		for chunk := range chunks(groups[k], d.inBatch()) {
			if err := splitHistory(ctx, tx, d, k.module, k.version, first[k].Status, at, chunk); err != nil {
				return nil, nil, err
			}
			ids, err := writeVerdictChunk(ctx, tx, d, k.module, k.version, stored[i], at, chunk, adjust)
			if err != nil {
				return nil, nil, err
			}
			restamp = append(restamp, ids...)
		}
	}
	slices.Sort(restamp)
	restamp = slices.DeleteFunc(slices.Compact(restamp), func(id int64) bool { _, found := adjust[id]; return found })
	return adjust, restamp, nil
}

// writeVerdictChunk writes one stored verdict to the rows of the sites at
// version of module, which link the history row the split started. Those
// whose flags stay are written first, and their sites returned; those
// whose flags change are read as they count (the sites are locked),
// written, and read back as they count now, and the difference is added
// to adjust.
func writeVerdictChunk(ctx context.Context, tx *sql.Tx, d *dialect, module, version int64, sv *storedVerdict, at time.Time,
	sites []int64, adjust map[int64][2]int64) (same []int64, err error) {
	counts := rowCounts("site_modules")
	c := conds{args: append(sv.values(), at, module, version)}
	in := c.in(d, "site_id", sites)
	write := `UPDATE site_modules SET status = $1, update_available = $2,
		security_update = $3, latest_version = $4, recommended_version = $5, security_updates = $6,
		severity = $7, also_available = $8, reasons_id = $9, analyzed_at = $10, updated_at = $10,
		` + historyLinkSet("$10") + `
		WHERE module_id = $11 AND current_version_id = $12 AND `
	rows, err := tx.QueryContext(ctx, write+in+` AND update_available = $2 AND security_update = $3 RETURNING site_id`, c.args...)
	if err != nil {
		return nil, fmt.Errorf("save analyses: %w", err)
	}
	if same, err = scanIDs(rows); err != nil {
		return nil, fmt.Errorf("save analyses: %w", err)
	}
	var b conds
	before, err := siteCounts(ctx, tx, `SELECT site_id, `+counts+` FROM site_modules
		WHERE module_id = `+b.arg(module)+` AND current_version_id = `+b.arg(version)+` AND `+b.in(d, "site_id", sites)+`
		AND NOT (update_available = `+b.arg(sv.update)+` AND security_update = `+b.arg(sv.security)+`)`, b.args...)
	if err != nil {
		return nil, fmt.Errorf("save analyses: %w", err)
	}
	after, err := siteCounts(ctx, tx, write+in+` AND NOT (update_available = $2 AND security_update = $3)
		RETURNING site_id, `+counts, c.args...)
	if err != nil {
		return nil, fmt.Errorf("save analyses: %w", err)
	}
	if len(after) != len(before) {
		return nil, fmt.Errorf("save analyses: %d rows changed their flags, %d read before", len(after), len(before))
	}
	for site, now := range after {
		was, ok := before[site]
		if !ok {
			return nil, fmt.Errorf("save analyses: site %d's row was not read before it changed", site)
		}
		a := adjust[site]
		adjust[site] = [2]int64{a[0] + now[0] - was[0], a[1] + now[1] - was[1]}
	}
	return same, nil
}

// siteCounts returns what the rows a query returns (site_id, then
// rowCounts) add to their sites' counts, by site: one row per site, as the
// rows of one project are.
func siteCounts(ctx context.Context, tx *sql.Tx, query string, args ...any) (map[int64][2]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][2]int64{}
	for rows.Next() {
		var site int64
		var n [2]int64
		if err := rows.Scan(&site, &n[0], &n[1]); err != nil {
			return nil, err
		}
		out[site] = n
	}
	return out, rows.Err()
}

// SyncExposures opens and resolves the exposures of the sites so that one
// is open exactly while security_update is true, in one transaction.
func (s *Store) SyncExposures(ctx context.Context, siteIDs []int64, at time.Time, open func(*fleetwatch.Install) *fleetwatch.Exposure) (fleetwatch.ExposureChanges, error) {
	var changes fleetwatch.ExposureChanges
	err := s.inCountedTx(ctx, func(tx *sql.Tx, counted *counts) error {
		for chunk := range chunks(siteIDs, s.d.inBatch()) {
			ch, err := syncExposures(ctx, tx, s.d, rowScope{siteIDs: chunk}, dbTime(at), open, counted)
			if err != nil {
				return err
			}
			changes.Opened = append(changes.Opened, ch.Opened...)
			changes.Resolved = append(changes.Resolved, ch.Resolved...)
		}
		return nil
	})
	if err != nil {
		return fleetwatch.ExposureChanges{}, err
	}
	return changes, nil
}

// scanIDs reads a column of ids and closes rows.
func scanIDs(rows *sql.Rows) ([]int64, error) { return scanColumn[int64](rows) }

// scanColumn reads a column of rows and closes them.
func scanColumn[T any](rows *sql.Rows) ([]T, error) {
	return scanRows(rows, func(rows *sql.Rows, v *T) error { return rows.Scan(v) })
}

// scanRows reads each row into a new element of a slice by scan, and
// closes rows. The slice doubles as it grows: append grows a large slice
// by a quarter, which copies a report's tens of thousands of rows five
// times over.
func scanRows[T any](rows *sql.Rows, scan func(*sql.Rows, *T) error) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		if len(out) == cap(out) {
			out = slices.Grow(out, max(len(out), 16))
		}
		out = append(out, *new(T))
		if err := scan(rows, &out[len(out)-1]); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// findExposuresByID reads the exposures with the ids, in id order.
func findExposuresByID(ctx context.Context, q querier, d *dialect, ids []int64) ([]*fleetwatch.Exposure, error) {
	var out []*fleetwatch.Exposure
	for chunk := range chunks(ids, d.inBatch()) {
		var c conds
		rows, err := q.QueryContext(ctx, `SELECT `+exposureColumns+` `+exposureFrom+`
			WHERE `+c.in(d, "e.id", chunk)+` ORDER BY e.id`, c.args...)
		if err != nil {
			return nil, fmt.Errorf("find exposures: %w", err)
		}
		for rows.Next() {
			e, err := scanExposure(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan exposure: %w", err)
			}
			out = append(out, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find exposures: %w", err)
		}
	}
	return out, nil
}

// FindReleaseInfos returns the known releases of a project, newest first,
// with how many visible sites of organizationID (0: all) run each;
// ENOTFOUND for a project Fleetwatch does not know.
func (s *Store) FindReleaseInfos(ctx context.Context, project string, organizationID int64) ([]*fleetwatch.ReleaseInfo, error) {
	var moduleID int64
	err := s.rdb.QueryRowContext(ctx, `SELECT id FROM modules WHERE module_name = $1`, project).Scan(&moduleID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Module not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find module: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `
		SELECT mv.version_number, mv.release_date, mv.is_security_update, mv.has_bug_fixes, mv.has_new_features,
			mv.is_published, mv.is_insecure, mv.is_revoked, mv.is_unsupported, mv.core_compatibility,
			mv.security_covered, mv.severity, a.advisory_id, COALESCE(a.risk_label, ''), a.risk_score,
			COALESCE(a.risk_vector, ''),
			(SELECT count(*) FROM site_modules sm JOIN sites s ON s.id = sm.site_id
				WHERE sm.current_version_id = mv.id AND NOT s.is_deleted
					AND ($2 = 0 OR s.organization_id = $2))
		FROM module_versions mv LEFT JOIN advisories a ON a.id = mv.advisory_id
		WHERE mv.module_id = $1`, moduleID, organizationID)
	if err != nil {
		return nil, fmt.Errorf("find releases: %w", err)
	}
	defer rows.Close()
	var out []*fleetwatch.ReleaseInfo
	for rows.Next() {
		var (
			r        fleetwatch.ReleaseInfo
			date     sql.NullTime
			severity sql.NullString
			sa       sql.NullString
			score    sql.NullInt64
		)
		if err := rows.Scan(&r.Version, &date, &r.SecurityUpdate, &r.BugFixes, &r.NewFeatures, &r.Published,
			&r.Insecure, &r.Revoked, &r.Unsupported, &r.CoreCompatibility, &r.SecurityCovered, &severity,
			&sa, &r.RiskLabel, &score, &r.RiskVector, &r.SitesCount); err != nil {
			return nil, fmt.Errorf("scan release: %w", err)
		}
		r.ReleaseDate, r.Severity, r.AdvisoryID = timePtr(date), stringPtr(severity), stringPtr(sa)
		if score.Valid {
			v := int(score.Int64)
			r.RiskScore = &v
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find releases: %w", err)
	}
	slices.SortStableFunc(out, func(a, b *fleetwatch.ReleaseInfo) int {
		va, ea := drupal.Parse(a.Version)
		vb, eb := drupal.Parse(b.Version)
		switch {
		case ea != nil && eb != nil:
			return strings.Compare(a.Version, b.Version)
		case ea != nil:
			return 1
		case eb != nil:
			return -1
		}
		return drupal.Compare(vb, va)
	})
	return out, nil
}

// TryLeadership runs fn when this process holds the scheduler lock of name:
// a PostgreSQL session advisory lock, held on one connection while fn runs,
// so that one replica leads at a time; on SQLite, the single process always
// leads.
func (s *Store) TryLeadership(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	if s.d != postgres {
		return true, fn(ctx)
	}
	h := fnv.New64a()
	h.Write([]byte("fleetwatch:" + name))
	key := int64(h.Sum64())
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("leadership: %w", err)
	}
	defer conn.Close()
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		return false, fmt.Errorf("leadership: %w", err)
	}
	if !got {
		return false, nil
	}
	defer func() {
		// A fresh context: the lock must go even when ctx ended.
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1)`, key)
	}()
	return true, fn(ctx)
}

func itoa(n int) string { return fmt.Sprint(n) }

// FindStaleSites returns up to limit sites with site_modules rows changed
// after their last full analysis.
func (s *Store) FindStaleSites(ctx context.Context, limit int) ([]int64, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT DISTINCT site_id FROM site_modules
		WHERE stale AND current_version_id IS NOT NULL
		ORDER BY site_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("find stale sites: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan stale site: %w", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find stale sites: %w", err)
	}
	return out, nil
}

// inBatch is how many values an IN list of the analysis holds, and
// rowBatch how many rows of cols columns one multi-row INSERT holds. SQLite
// (modernc) resolves each $n by a linear search of the statement's
// parameters, so that a statement's cost grows with the square of its
// parameters: small statements are cheaper there; PostgreSQL prefers fewer
// round trips.
func (d *dialect) inBatch() int {
	if d == sqliteDialect {
		return 100
	}
	return 1000
}

func (d *dialect) rowBatch(cols int) int {
	if d == sqliteDialect {
		return max(1, 100/cols)
	}
	return max(1, 3000/cols)
}

// storedVerdict is a verdict as site_modules stores it: its lists as JSON,
// its severity "" when unknown (NULL), and its reasons by reasonsID, which
// linkReasons sets (0: none, NULL); the reasons themselves are encoded
// only when verdict_reasons lacks them.
type storedVerdict struct {
	status, latest, recommended, securityUpdates, severity, also string
	reasons                                                      []string
	reasonsDigest                                                string
	reasonsID                                                    int64
	update, security                                             bool
}

func newStoredVerdict(status string, update, security bool, latest, recommended string, securityUpdates []string, severity string,
	also, reasons []string) storedVerdict {
	return storedVerdict{status: status, update: update, security: security, latest: latest, recommended: recommended,
		securityUpdates: jsonList(securityUpdates), severity: severity, also: jsonList(also), reasons: reasons,
		reasonsDigest: fleetwatch.ReasonsDigest(reasons)}
}

// values returns the verdict's column values in this order: status,
// update_available, security_update, latest_version, recommended_version,
// security_updates, severity (NULL when unknown), also_available,
// reasons_id (NULL when none).
func (v storedVerdict) values() []any {
	var sev, reasons any
	if v.severity != "" {
		sev = v.severity
	}
	if v.reasonsID != 0 {
		reasons = v.reasonsID
	}
	return []any{v.status, v.update, v.security, v.latest, v.recommended, v.securityUpdates, sev, v.also, reasons}
}

// jsonList is l as a JSON array; most of the lists a verdict holds are
// empty.
func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l)
	return string(b)
}
