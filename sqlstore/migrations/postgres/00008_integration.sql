-- Integration of ingestion and update intelligence: the build time of dev
-- checkouts (the update status of a dev release depends on it), and which
-- SLA breaches were announced, so that each is announced once across
-- replicas.

-- +goose Up
-- datestamp: unix seconds of a dev checkout's build, 0 when unknown.
ALTER TABLE site_modules ADD COLUMN datestamp BIGINT NOT NULL DEFAULT 0;
ALTER TABLE site_module_history ADD COLUMN datestamp BIGINT NOT NULL DEFAULT 0;

-- When the sla.breached event of an open exposure was published; NULL
-- while it is not breached or not announced yet. A policy change that moves
-- due_at later clears it.
ALTER TABLE exposures ADD COLUMN breach_notified_at TIMESTAMPTZ;
CREATE INDEX exposures_unannounced_breach_idx ON exposures (due_at)
    WHERE resolved_at IS NULL AND breach_notified_at IS NULL;
