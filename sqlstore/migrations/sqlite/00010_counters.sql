-- Counters of each site's outstanding updates (non-security, security),
-- kept by the transactions that change its site_modules, so that the fleet
-- summary does not scan site_modules. An index for reports over closed
-- exposures (SLA compliance).

-- +goose Up
ALTER TABLE sites ADD COLUMN updates_available INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sites ADD COLUMN security_updates INTEGER NOT NULL DEFAULT 0;
UPDATE sites SET
    updates_available = (SELECT count(*) FROM site_modules sm WHERE sm.site_id = sites.id AND sm.update_available AND NOT sm.security_update),
    security_updates = (SELECT count(*) FROM site_modules sm WHERE sm.site_id = sites.id AND sm.security_update);
CREATE INDEX exposures_resolved_at_idx ON exposures (resolved_at) WHERE resolved_at IS NOT NULL;
