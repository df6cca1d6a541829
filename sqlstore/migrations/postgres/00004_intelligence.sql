-- Update and security intelligence (issue 5): the cache of drupal.org
-- release-history feeds, security advisories, the analysis columns of
-- site_modules, and exposures (docs/architecture.md: data model, update status).

-- +goose Up
-- One row per project whose feed Fleetwatch fetched or tried to fetch. The
-- body of the last good feed is kept so that a restart does not refetch
-- everything; etag and last_modified make the next fetch conditional.
CREATE TABLE release_feeds (
    project         TEXT        PRIMARY KEY,
    body            BYTEA, -- the last valid feed as fetched; NULL until one is
    content_hash    TEXT        NOT NULL DEFAULT '', -- sha256 of body
    etag            TEXT        NOT NULL DEFAULT '',
    last_modified   TEXT        NOT NULL DEFAULT '',
    status          TEXT        NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'ok', 'not_found', 'invalid', 'error')),
    error           TEXT        NOT NULL DEFAULT '',
    failures        INTEGER     NOT NULL DEFAULT 0, -- consecutive failed fetches
    fetched_at      TIMESTAMPTZ, -- last answer that carried or confirmed a body
    changed_at      TIMESTAMPTZ, -- last time the body changed
    checked_at      TIMESTAMPTZ, -- last attempt
    next_attempt_at TIMESTAMPTZ, -- backoff after failures
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX release_feeds_checked_at_idx ON release_feeds (checked_at);

-- Security advisories of drupal.org, merged from the formats that carry them;
-- the risk label, score and vector are kept as published.
CREATE TABLE advisories (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    advisory_id        TEXT        NOT NULL UNIQUE, -- SA-CONTRIB-2026-138
    project            TEXT        NOT NULL DEFAULT '',
    title              TEXT        NOT NULL DEFAULT '',
    url                TEXT        NOT NULL DEFAULT '',
    risk_label         TEXT        NOT NULL DEFAULT '',
    severity           TEXT CHECK (severity IN ('highly_critical', 'critical', 'moderately_critical', 'less_critical', 'not_critical')),
    risk_score         INTEGER,
    risk_vector        TEXT        NOT NULL DEFAULT '',
    vulnerability_type TEXT        NOT NULL DEFAULT '',
    affected_versions  TEXT        NOT NULL DEFAULT '',
    fixed_versions     JSONB       NOT NULL DEFAULT '[]',
    cves               JSONB       NOT NULL DEFAULT '[]',
    is_psa             BOOLEAN     NOT NULL DEFAULT FALSE,
    source             TEXT        NOT NULL DEFAULT '',
    published_at       TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX advisories_project_idx ON advisories (project);

-- The advisory a security release fixes (module_versions.severity is its severity).
ALTER TABLE module_versions ADD COLUMN advisory_id BIGINT REFERENCES advisories (id);

-- The rest of the analysis of a (site, project): the security releases that
-- fix it, the severity of the worst advisory among them, newer majors, and
-- the reasons in words.
ALTER TABLE site_modules ADD COLUMN security_updates JSONB NOT NULL DEFAULT '[]';
ALTER TABLE site_modules ADD COLUMN severity TEXT
    CHECK (severity IN ('highly_critical', 'critical', 'moderately_critical', 'less_critical', 'not_critical'));
ALTER TABLE site_modules ADD COLUMN also_available JSONB NOT NULL DEFAULT '[]';
ALTER TABLE site_modules ADD COLUMN reasons JSONB NOT NULL DEFAULT '[]';
ALTER TABLE site_modules ADD COLUMN analyzed_at TIMESTAMPTZ;

-- An exposure is open exactly while its (site, project) has security_update.
CREATE TABLE exposures (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid              TEXT        NOT NULL UNIQUE,
    site_id           BIGINT      NOT NULL REFERENCES sites (id),
    module_id         BIGINT      NOT NULL REFERENCES modules (id),
    organization_id   BIGINT      NOT NULL REFERENCES organizations (id),
    installed_version TEXT        NOT NULL,
    fixed_by          JSONB       NOT NULL DEFAULT '[]', -- security releases that fix it
    advisories        JSONB       NOT NULL DEFAULT '[]', -- their advisory ids
    severity          TEXT        NOT NULL
        CHECK (severity IN ('highly_critical', 'critical', 'moderately_critical', 'less_critical', 'not_critical')),
    severity_known    BOOLEAN     NOT NULL DEFAULT FALSE, -- FALSE: unknown, counted as critical
    published_at      TIMESTAMPTZ, -- the fixing release's date
    detected_at       TIMESTAMPTZ NOT NULL,
    clock_started_at  TIMESTAMPTZ NOT NULL, -- never before the site was first seen
    due_at            TIMESTAMPTZ NOT NULL,
    resolved_at       TIMESTAMPTZ,
    resolved_version  TEXT        NOT NULL DEFAULT '',
    patch_run_id      BIGINT REFERENCES patch_runs (id),
    sla_outcome       TEXT CHECK (sla_outcome IN ('within', 'breached')),
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    CHECK ((resolved_at IS NULL) = (sla_outcome IS NULL))
);
CREATE UNIQUE INDEX exposures_open_key ON exposures (site_id, module_id) WHERE resolved_at IS NULL;
CREATE INDEX exposures_organization_idx ON exposures (organization_id, detected_at);
CREATE INDEX exposures_module_idx ON exposures (module_id);
CREATE INDEX exposures_due_at_idx ON exposures (due_at) WHERE resolved_at IS NULL;

-- Rows another writer (the ingest worker) changed since the last full
-- analysis (which sets analyzed_at = updated_at): the analysis picks them
-- up to fill its columns and exposures.
CREATE INDEX site_modules_stale_idx ON site_modules (site_id)
    WHERE analyzed_at IS NULL OR updated_at <> analyzed_at;
