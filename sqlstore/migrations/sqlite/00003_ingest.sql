-- Ingestion (issue 4), SQLite edition of migrations/postgres/00003_ingest.sql.

-- +goose Up
ALTER TABLE sites ADD COLUMN inventory_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN inventory_collected_at DATETIME;

ALTER TABLE audit_logs ADD COLUMN collected_at DATETIME;
CREATE INDEX audit_logs_site_collected_at_idx ON audit_logs (site_id, collected_at) WHERE collected_at IS NOT NULL;
CREATE INDEX audit_logs_queued_idx ON audit_logs (id) WHERE status = 'queued';
CREATE INDEX audit_logs_processing_idx ON audit_logs (claimed_at) WHERE status = 'processing';

CREATE TABLE site_module_history (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER  NOT NULL REFERENCES sites (id),
    module_id  INTEGER  NOT NULL REFERENCES modules (id),
    version    TEXT     NOT NULL,
    status     TEXT     NOT NULL DEFAULT 'unknown'
        CHECK (status IN ('current', 'not_current', 'not_secure', 'revoked', 'not_supported', 'unknown')),
    valid_from DATETIME NOT NULL,
    valid_to   DATETIME,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
CREATE INDEX site_module_history_site_idx ON site_module_history (site_id, valid_from);
CREATE INDEX site_module_history_open_idx ON site_module_history (site_id, module_id) WHERE valid_to IS NULL;

CREATE INDEX patch_runs_created_at_idx ON patch_runs (created_at);
