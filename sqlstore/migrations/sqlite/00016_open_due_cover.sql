-- The open exposures by deadline carry their organization and site, so
-- that the summary's count of the deadlines passed today (and other counts
-- of open exposures by deadline, scoped to visible organizations and
-- leaving out deleted sites) are answered from the index alone.

-- +goose Up
DROP INDEX exposures_open_due_idx;
CREATE INDEX exposures_open_due_idx ON exposures (due_at, id, organization_id, site_id) WHERE resolved_at IS NULL;
