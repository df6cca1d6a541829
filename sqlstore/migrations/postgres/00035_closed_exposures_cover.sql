-- The closed exposures by resolution time carry the start of their SLA
-- clock as well, so that the SLA compliance report reads a period's
-- closures (site, clock start, resolution, outcome) from the index alone.
-- It replaces the index of 00012, which the summary's counts of closures
-- read the same way.

-- +goose Up
CREATE INDEX exposures_closed_cover_idx ON exposures (resolved_at, organization_id, sla_outcome, site_id)
    INCLUDE (clock_started_at) WHERE resolved_at IS NOT NULL;
DROP INDEX exposures_resolved_cover_idx;

-- +goose Down
CREATE INDEX exposures_resolved_cover_idx ON exposures (resolved_at, organization_id, sla_outcome, site_id) WHERE resolved_at IS NOT NULL;
DROP INDEX exposures_closed_cover_idx;
