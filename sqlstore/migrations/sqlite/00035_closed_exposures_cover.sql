-- See PostgreSQL's 00035: the closed exposures by resolution time carry the
-- start of their SLA clock, so that the SLA compliance report reads a
-- period's closures from the index alone.

-- +goose Up
CREATE INDEX exposures_closed_cover_idx ON exposures (resolved_at, organization_id, sla_outcome, site_id, clock_started_at)
    WHERE resolved_at IS NOT NULL;
DROP INDEX exposures_resolved_cover_idx;

-- +goose Down
CREATE INDEX exposures_resolved_cover_idx ON exposures (resolved_at, organization_id, sla_outcome, site_id) WHERE resolved_at IS NOT NULL;
DROP INDEX exposures_closed_cover_idx;
