package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// DrupalLink returns the drupal.org page of a project, the Packagist page
// of a library, "" for a custom project.
func DrupalLink(name, source string) string {
	switch source {
	case fleetwatch.SourceCustom:
		return ""
	case fleetwatch.SourcePackagist:
		return "https://packagist.org/packages/" + name
	}
	return "https://www.drupal.org/project/" + name
}

// ensureModules returns the catalog id of every project of ps (sorted by
// name), inserting the projects the catalog lacks. Inserting in name order
// keeps concurrent workers from deadlocking on each other's new rows.
func ensureModules(ctx context.Context, tx *sql.Tx, d *dialect, ps []fleetwatch.SnapshotProject, t time.Time) (map[string]int64, error) {
	ids := make(map[string]int64, len(ps))
	lookup := func(names []string) error {
		for part := range chunks(names, d.inBatch()) {
			var c conds
			rows, err := tx.QueryContext(ctx, `SELECT id, module_name FROM modules WHERE module_name IN (`+
				argList(&c, part)+`)`, c.args...)
			if err != nil {
				return fmt.Errorf("find modules: %w", err)
			}
			for rows.Next() {
				var id int64
				var name string
				if err := rows.Scan(&id, &name); err != nil {
					rows.Close()
					return fmt.Errorf("scan module: %w", err)
				}
				ids[name] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("find modules: %w", err)
			}
		}
		return nil
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	if err := lookup(names); err != nil {
		return nil, err
	}
	var missing []fleetwatch.SnapshotProject
	for _, p := range ps {
		if _, ok := ids[p.Name]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return ids, nil
	}
	names = names[:0]
	for part := range chunks(missing, d.rowBatch(6)) {
		var c conds
		var vals []any
		for _, p := range part {
			vals = append(vals, p.Name, DrupalLink(p.Name, p.Source), p.Type, p.Source, t, t)
			names = append(names, p.Name)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO modules (module_name, drupal_link, type, source, created_at, updated_at)
			VALUES `+placeholders(&c, 6, vals...)+` ON CONFLICT (module_name) DO NOTHING`, c.args...); err != nil {
			return nil, fmt.Errorf("insert modules: %w", err)
		}
	}
	if err := lookup(names); err != nil {
		return nil, err
	}
	return ids, nil
}

// versionKey identifies a release of a project.
type versionKey struct {
	moduleID int64
	version  string
}

// ensureVersions returns the id of every (module, version) of ps, inserting
// the versions module_versions lacks.
func ensureVersions(ctx context.Context, tx *sql.Tx, d *dialect, ps []fleetwatch.SnapshotProject, moduleIDs map[string]int64, t time.Time) (map[versionKey]int64, error) {
	ids := make(map[versionKey]int64, len(ps))
	lookup := func(keys []versionKey) error {
		for part := range chunks(keys, d.rowBatch(2)) {
			var c conds
			var vals []any
			for _, k := range part {
				vals = append(vals, k.moduleID, k.version)
			}
			rows, err := tx.QueryContext(ctx, `SELECT id, module_id, version_number FROM module_versions
				WHERE (module_id, version_number) IN (`+placeholders(&c, 2, vals...)+`)`, c.args...)
			if err != nil {
				return fmt.Errorf("find module versions: %w", err)
			}
			for rows.Next() {
				var id int64
				var k versionKey
				if err := rows.Scan(&id, &k.moduleID, &k.version); err != nil {
					rows.Close()
					return fmt.Errorf("scan module version: %w", err)
				}
				ids[k] = id
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("find module versions: %w", err)
			}
		}
		return nil
	}
	keys := make([]versionKey, len(ps))
	for i, p := range ps {
		keys[i] = versionKey{moduleIDs[p.Name], p.Version}
	}
	if err := lookup(keys); err != nil {
		return nil, err
	}
	var missing []fleetwatch.SnapshotProject
	for i, p := range ps {
		if _, ok := ids[keys[i]]; !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return ids, nil
	}
	keys = keys[:0]
	for part := range chunks(missing, d.rowBatch(5)) {
		var c conds
		var vals []any
		for _, p := range part {
			var released any
			if p.Datestamp > 0 {
				released = dbTime(time.Unix(p.Datestamp, 0))
			}
			k := versionKey{moduleIDs[p.Name], p.Version}
			vals = append(vals, k.moduleID, k.version, released, t, t)
			keys = append(keys, k)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO module_versions (module_id, version_number, release_date, created_at, updated_at)
			VALUES `+placeholders(&c, 5, vals...)+` ON CONFLICT (module_id, version_number) DO NOTHING`, c.args...); err != nil {
			return nil, fmt.Errorf("insert module versions: %w", err)
		}
	}
	if err := lookup(keys); err != nil {
		return nil, err
	}
	return ids, nil
}

// moduleSortColumns maps fleetwatch.ModuleSortFields to columns.
var moduleSortColumns = map[string]string{
	"name":                 "m.module_name",
	"sites_count":          "sites_count",
	"security_sites_count": "security_sites_count",
}

// usage is the subquery of how many visible sites (of one organization, when
// orgID is not 0) run each module.
func usage(c *conds, orgID int64) string {
	org := ""
	if orgID != 0 {
		org = " AND s.organization_id = " + c.arg(orgID)
	}
	return `(SELECT sm.module_id, count(*) AS n,
		sum(CASE WHEN sm.security_update THEN 1 ELSE 0 END) AS sec FROM site_modules sm
		JOIN sites s ON s.id = sm.site_id
		JOIN organizations o ON o.id = s.organization_id
		WHERE ` + siteVisible + org + ` GROUP BY sm.module_id)`
}

// FindModules returns a page of the catalog: every project for an
// organization id of 0, else the projects its sites run.
func (s *Store) FindModules(ctx context.Context, f fleetwatch.ModuleFilter) ([]*fleetwatch.Module, int, error) {
	var c conds
	join := "LEFT JOIN"
	if f.OrganizationID != 0 {
		join = "JOIN"
	}
	from := `FROM modules m ` + join + ` ` + usage(&c, f.OrganizationID) + ` u ON u.module_id = m.id`
	if f.Type != "" {
		c.add("m.type = " + c.arg(f.Type))
	}
	if f.Source != "" {
		c.add("m.source = " + c.arg(f.Source))
	}
	c.search(s.d, f.Q, "m.module_name")
	order, err := orderBy(f.Sort, moduleSortColumns, []fleetwatch.SortField{{Field: "name"}}, "m.id")
	if err != nil {
		return nil, 0, fmt.Errorf("find modules: %w", err)
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+from+` `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count modules: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT m.id, m.module_name, m.drupal_link, m.type, m.source, COALESCE(u.n, 0) AS sites_count,
		COALESCE(u.sec, 0) AS security_sites_count `+
		from+` `+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find modules: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.Module{}
	for rows.Next() {
		var m fleetwatch.Module
		if err := rows.Scan(&m.ID, &m.Name, &m.DrupalLink, &m.Type, &m.Source, &m.SitesCount, &m.SecuritySitesCount); err != nil {
			return nil, 0, fmt.Errorf("scan module: %w", err)
		}
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find modules: %w", err)
	}
	return out, total, nil
}

// FindModule returns one project with the versions the visible sites run;
// ENOTFOUND when it is unknown or, for an organization, none of its sites
// runs it.
func (s *Store) FindModule(ctx context.Context, name string, orgID int64) (*fleetwatch.Module, error) {
	var c conds
	join := "LEFT JOIN"
	if orgID != 0 {
		join = "JOIN"
	}
	var m fleetwatch.Module
	err := s.rdb.QueryRowContext(ctx, `SELECT m.id, m.module_name, m.drupal_link, m.type, m.source, COALESCE(u.n, 0), COALESCE(u.sec, 0)
		FROM modules m `+join+` `+usage(&c, orgID)+` u ON u.module_id = m.id
		WHERE m.module_name = `+c.arg(name), c.args...).Scan(&m.ID, &m.Name, &m.DrupalLink, &m.Type, &m.Source, &m.SitesCount, &m.SecuritySitesCount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Module not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find module: %w", err)
	}
	c = conds{}
	c.add(siteVisible)
	c.add("sm.module_id = " + c.arg(m.ID))
	if orgID != 0 {
		c.add("s.organization_id = " + c.arg(orgID))
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT v.version_number, count(*) FROM site_modules sm
		JOIN module_versions v ON v.id = sm.current_version_id
		JOIN sites s ON s.id = sm.site_id
		JOIN organizations o ON o.id = s.organization_id
		`+c.sql()+` GROUP BY v.version_number ORDER BY count(*) DESC, v.version_number`, c.args...)
	if err != nil {
		return nil, fmt.Errorf("find module versions: %w", err)
	}
	defer rows.Close()
	m.Versions = []fleetwatch.ModuleVersionUsage{}
	for rows.Next() {
		var u fleetwatch.ModuleVersionUsage
		if err := rows.Scan(&u.Version, &u.SitesCount); err != nil {
			return nil, fmt.Errorf("scan module version: %w", err)
		}
		m.Versions = append(m.Versions, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find module versions: %w", err)
	}
	return &m, nil
}

// siteModuleSortColumns maps fleetwatch.SiteModuleSortFields to columns.
var siteModuleSortColumns = map[string]string{
	"name":       "m.module_name",
	"status":     "sm.status",
	"updated_at": "sm.updated_at",
	"site_name":  "lower(s.name)",
}

const siteModuleFrom = `FROM site_modules sm
	JOIN modules m ON m.id = sm.module_id
	LEFT JOIN module_versions v ON v.id = sm.current_version_id
	JOIN sites s ON s.id = sm.site_id
	JOIN organizations o ON o.id = s.organization_id`

// FindSiteModulesStamp returns the generation of a visible site's module
// list, with what its rows show of the site.
func (s *Store) FindSiteModulesStamp(ctx context.Context, siteUUID string) (*fleetwatch.SiteModulesStamp, error) {
	var st fleetwatch.SiteModulesStamp
	err := s.rdb.QueryRowContext(ctx, `SELECT s.id, s.organization_id, s.modules_generation, s.name, s.url
		FROM sites s JOIN organizations o ON o.id = s.organization_id
		WHERE s.uuid = $1 AND `+siteVisible, siteUUID).Scan(&st.SiteID, &st.OrganizationID, &st.Generation, &st.Name, &st.URL)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Site not found.")
	} else if err != nil {
		return nil, fmt.Errorf("find site modules stamp: %w", err)
	}
	return &st, nil
}

// FindSiteModules returns a page of the projects one site runs, or of the
// sites that run one project.
func (s *Store) FindSiteModules(ctx context.Context, f fleetwatch.SiteModuleFilter) ([]*fleetwatch.SiteModule, int, error) {
	var c conds
	c.add(siteVisible)
	if f.SiteID != 0 {
		c.add("sm.site_id = " + c.arg(f.SiteID))
	}
	if f.Module != "" {
		c.add("m.module_name = " + c.arg(f.Module))
	}
	if f.OrganizationID != 0 {
		c.add("s.organization_id = " + c.arg(f.OrganizationID))
	}
	if f.Type != "" {
		c.add("m.type = " + c.arg(f.Type))
	}
	if f.Status != "" {
		c.add("sm.status = " + c.arg(f.Status))
	}
	if f.UpdateAvailable != nil {
		c.add("sm.update_available = " + c.arg(*f.UpdateAvailable))
	}
	if f.SecurityUpdate != nil {
		c.add("sm.security_update = " + c.arg(*f.SecurityUpdate))
	}
	c.search(s.d, f.Q, "m.module_name", "s.name", "s.url")
	def := []fleetwatch.SortField{{Field: "name"}}
	if f.Module != "" {
		def = []fleetwatch.SortField{{Field: "site_name"}}
	}
	order, err := orderBy(f.Sort, siteModuleSortColumns, def, "sm.site_id, sm.module_id")
	if err != nil {
		return nil, 0, fmt.Errorf("find site modules: %w", err)
	}
	var total int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) `+siteModuleFrom+` `+c.sql(), c.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count site modules: %w", err)
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT sm.site_id, s.uuid, s.name, s.url, o.uuid, m.module_name, m.type, m.source, m.drupal_link,
		COALESCE(v.version_number, ''), sm.datestamp, sm.status, sm.update_available, sm.security_update,
		sm.latest_version, sm.recommended_version, sm.security_updates, sm.severity, sm.also_available,
		COALESCE((SELECT vr.reasons FROM verdict_reasons vr WHERE vr.id = sm.reasons_id), '[]'), sm.updated_at `+siteModuleFrom+` `+c.sql()+` `+order+` `+c.page(f.ListOptions), c.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find site modules: %w", err)
	}
	defer rows.Close()
	out := []*fleetwatch.SiteModule{}
	for rows.Next() {
		var (
			m                      fleetwatch.SiteModule
			severity               sql.NullString
			secJSON, also, reasons string
		)
		if err := rows.Scan(&m.SiteID, &m.SiteUUID, &m.SiteName, &m.SiteURL, &m.OrganizationUUID, &m.Name, &m.Type, &m.Source, &m.DrupalLink,
			&m.Version, &m.Datestamp, &m.Status, &m.UpdateAvailable, &m.SecurityUpdate,
			&m.LatestVersion, &m.RecommendedVersion, &secJSON, &severity, &also, &reasons, &m.UpdatedAt); err != nil {
			return nil, 0, fmt.Errorf("scan site module: %w", err)
		}
		if err := errors.Join(json.Unmarshal([]byte(secJSON), &m.SecurityUpdates), json.Unmarshal([]byte(also), &m.AlsoAvailable),
			json.Unmarshal([]byte(reasons), &m.Reasons)); err != nil {
			return nil, 0, fmt.Errorf("site module analysis columns: %w", err)
		}
		m.SecurityUpdates, m.AlsoAvailable, m.Reasons = nonNil(m.SecurityUpdates), nonNil(m.AlsoAvailable), nonNil(m.Reasons)
		m.Severity = stringPtr(severity)
		m.UpdatedAt = m.UpdatedAt.UTC()
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("find site modules: %w", err)
	}
	return out, total, nil
}
