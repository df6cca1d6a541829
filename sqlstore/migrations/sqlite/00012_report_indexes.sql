-- Indexes the computed reports read instead of scanning and joining:
--  - the open exposures by organization and severity, with their deadline
--    and site (summary counts, security-updates total: index-only);
--  - the open exposures in deadline order (security-updates first page:
--    the first rows of the index, not a sort of every open exposure);
--  - the closed exposures by resolution time with their organization,
--    outcome and site (summary compliance over 30/90 days: index-only);
--  - a project's sites in site order (the summary's project count probes
--    one project at a time);
--  - the deleted sites, few, whose exposures the counts leave out.
-- The deadline, resolution and project indexes replace narrower ones; the
-- open-by-organization one is new (open exposures are few), the
-- deleted-sites one changes only on deletion.

-- +goose Up
CREATE INDEX exposures_open_org_idx ON exposures (organization_id, severity, due_at, site_id) WHERE resolved_at IS NULL;
CREATE INDEX exposures_open_due_idx ON exposures (due_at, id) WHERE resolved_at IS NULL;
DROP INDEX exposures_due_at_idx;
CREATE INDEX exposures_resolved_cover_idx ON exposures (resolved_at, organization_id, sla_outcome, site_id) WHERE resolved_at IS NOT NULL;
DROP INDEX exposures_resolved_at_idx;
CREATE INDEX site_modules_module_site_idx ON site_modules (module_id, site_id);
DROP INDEX site_modules_module_id_idx;
CREATE INDEX sites_deleted_idx ON sites (id) WHERE is_deleted;
