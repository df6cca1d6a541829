-- Ingestion (issue 4): what a site last reported, the time each applied
-- inventory was collected, and the history of what each site ran.

-- +goose Up
-- The digest and collection time of the newest inventory applied, so that an
-- unchanged push costs one read and one update of the site.
ALTER TABLE sites ADD COLUMN inventory_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN inventory_collected_at TIMESTAMPTZ;

-- collected_at of an applied inventory: out-of-order snapshots find the next
-- snapshot of their site here.
ALTER TABLE audit_logs ADD COLUMN collected_at TIMESTAMPTZ;
CREATE INDEX audit_logs_site_collected_at_idx ON audit_logs (site_id, collected_at) WHERE collected_at IS NOT NULL;
-- The queue: workers claim the oldest queued rows; the sweeper looks for
-- stuck ones.
CREATE INDEX audit_logs_queued_idx ON audit_logs (id) WHERE status = 'queued';
CREATE INDEX audit_logs_processing_idx ON audit_logs (claimed_at) WHERE status = 'processing';

-- Validity intervals [valid_from, valid_to) of the version a site ran of a
-- project, timed by the snapshots' collected_at; valid_to is NULL while it
-- still runs it. Written as changes only.
CREATE TABLE site_module_history (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT      NOT NULL REFERENCES sites (id),
    module_id  BIGINT      NOT NULL REFERENCES modules (id),
    version    TEXT        NOT NULL,
    status     TEXT        NOT NULL DEFAULT 'unknown'
        CHECK (status IN ('current', 'not_current', 'not_secure', 'revoked', 'not_supported', 'unknown')),
    valid_from TIMESTAMPTZ NOT NULL,
    valid_to   TIMESTAMPTZ,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX site_module_history_site_idx ON site_module_history (site_id, valid_from);
CREATE INDEX site_module_history_open_idx ON site_module_history (site_id, module_id) WHERE valid_to IS NULL;

CREATE INDEX patch_runs_created_at_idx ON patch_runs (created_at);
