-- The seed's data model (docs/architecture.md), SQLite edition of
-- migrations/postgres/00001_init.sql: the same tables, columns, constraints
-- and indexes. Booleans are 0/1 with a CHECK, timestamps DATETIME (TEXT
-- written by the driver in UTC, "2006-01-02 15:04:05.999999999+00:00", which
-- sorts and compares correctly as text), JSON is TEXT checked by json_valid.

-- +goose Up
CREATE TABLE users (
    id                       INTEGER PRIMARY KEY,
    uuid                     TEXT     NOT NULL UNIQUE,
    name                     TEXT     NOT NULL,
    email                    TEXT     NOT NULL,
    hashed_password          TEXT     NOT NULL DEFAULT '',
    organization_id          INTEGER REFERENCES organizations (id),
    role                     TEXT     NOT NULL CHECK (role IN ('admin', 'org_admin', 'member', 'viewer')),
    is_active                BOOLEAN  NOT NULL DEFAULT TRUE CHECK (is_active IN (0, 1)),
    is_deleted               BOOLEAN  NOT NULL DEFAULT FALSE CHECK (is_deleted IN (0, 1)),
    last_login               DATETIME,
    notification_preferences TEXT     NOT NULL DEFAULT '{}' CHECK (json_valid(notification_preferences)),
    totp_secret              TEXT     NOT NULL DEFAULT '', -- encrypted with the secret key
    totp_enabled             BOOLEAN  NOT NULL DEFAULT FALSE CHECK (totp_enabled IN (0, 1)),
    created_at               DATETIME NOT NULL,
    updated_at               DATETIME NOT NULL,
    deleted_at               DATETIME,
    created_by               INTEGER REFERENCES users (id),
    updated_by               INTEGER REFERENCES users (id)
);
-- E-mail addresses are unique case-insensitively among the users that exist.
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE NOT is_deleted;
CREATE INDEX users_organization_id_idx ON users (organization_id, id) WHERE NOT is_deleted;

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT     NOT NULL UNIQUE,
    name       TEXT     NOT NULL,
    tax_id     TEXT     NOT NULL DEFAULT '',
    is_active  BOOLEAN  NOT NULL DEFAULT TRUE CHECK (is_active IN (0, 1)),
    is_deleted BOOLEAN  NOT NULL DEFAULT FALSE CHECK (is_deleted IN (0, 1)),
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    deleted_at DATETIME,
    created_by INTEGER REFERENCES users (id),
    updated_by INTEGER REFERENCES users (id)
);
CREATE INDEX organizations_name_idx ON organizations (lower(name), id) WHERE NOT is_deleted;

CREATE TABLE sites (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT     NOT NULL UNIQUE,
    url             TEXT     NOT NULL,
    name            TEXT     NOT NULL,
    description     TEXT     NOT NULL DEFAULT '',
    organization_id INTEGER  NOT NULL REFERENCES organizations (id),
    is_active       BOOLEAN  NOT NULL DEFAULT TRUE CHECK (is_active IN (0, 1)),
    is_deleted      BOOLEAN  NOT NULL DEFAULT FALSE CHECK (is_deleted IN (0, 1)),
    first_seen_at   DATETIME,
    last_seen_at    DATETIME,
    core_version    TEXT     NOT NULL DEFAULT '', -- Drupal core
    php_version     TEXT     NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    deleted_at      DATETIME,
    created_by      INTEGER REFERENCES users (id),
    updated_by      INTEGER REFERENCES users (id)
);
CREATE INDEX sites_organization_id_idx ON sites (organization_id, id) WHERE NOT is_deleted;
CREATE INDEX sites_url_idx ON sites (url) WHERE NOT is_deleted;
CREATE INDEX sites_last_seen_at_idx ON sites (last_seen_at) WHERE NOT is_deleted;

-- One row per drupal.org project (or custom project), addressed by name.
CREATE TABLE modules (
    id          INTEGER PRIMARY KEY,
    module_name TEXT     NOT NULL UNIQUE,
    drupal_link TEXT     NOT NULL DEFAULT '',
    type        TEXT     NOT NULL DEFAULT 'module' CHECK (type IN ('core', 'module', 'theme', 'profile')),
    source      TEXT     NOT NULL DEFAULT 'drupal.org' CHECK (source IN ('drupal.org', 'custom')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);

CREATE TABLE module_versions (
    id                 INTEGER PRIMARY KEY,
    module_id          INTEGER  NOT NULL REFERENCES modules (id),
    version_number     TEXT     NOT NULL,
    release_date       DATETIME,
    -- drupal.org release types
    is_security_update BOOLEAN  NOT NULL DEFAULT FALSE CHECK (is_security_update IN (0, 1)),
    has_bug_fixes      BOOLEAN  NOT NULL DEFAULT FALSE CHECK (has_bug_fixes IN (0, 1)),
    has_new_features   BOOLEAN  NOT NULL DEFAULT FALSE CHECK (has_new_features IN (0, 1)),
    is_published       BOOLEAN  NOT NULL DEFAULT TRUE CHECK (is_published IN (0, 1)),
    is_insecure        BOOLEAN  NOT NULL DEFAULT FALSE CHECK (is_insecure IN (0, 1)),
    is_revoked         BOOLEAN  NOT NULL DEFAULT FALSE CHECK (is_revoked IN (0, 1)),
    is_unsupported     BOOLEAN  NOT NULL DEFAULT FALSE CHECK (is_unsupported IN (0, 1)),
    core_compatibility TEXT     NOT NULL DEFAULT '', -- e.g. "^9.5 || ^10"
    security_covered   BOOLEAN  NOT NULL DEFAULT FALSE CHECK (security_covered IN (0, 1)),
    -- severity of the advisory this release fixes; NULL when none or unknown
    severity           TEXT CHECK (severity IN ('highly_critical', 'critical', 'moderately_critical', 'less_critical', 'not_critical')),
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    UNIQUE (module_id, version_number)
);

-- What each site runs now; history keeps what it ran before.
CREATE TABLE site_modules (
    site_id             INTEGER  NOT NULL REFERENCES sites (id),
    module_id           INTEGER  NOT NULL REFERENCES modules (id),
    current_version_id  INTEGER REFERENCES module_versions (id),
    update_available    BOOLEAN  NOT NULL DEFAULT FALSE CHECK (update_available IN (0, 1)),
    security_update     BOOLEAN  NOT NULL DEFAULT FALSE CHECK (security_update IN (0, 1)),
    status              TEXT     NOT NULL DEFAULT 'unknown'
        CHECK (status IN ('current', 'not_current', 'not_secure', 'revoked', 'not_supported', 'unknown')),
    latest_version      TEXT     NOT NULL DEFAULT '',
    recommended_version TEXT     NOT NULL DEFAULT '',
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL,
    PRIMARY KEY (site_id, module_id),
    -- security_update is true exactly when the status is not_secure.
    CHECK (security_update = (status = 'not_secure'))
) WITHOUT ROWID;
CREATE INDEX site_modules_module_id_idx ON site_modules (module_id);
CREATE INDEX site_modules_security_update_idx ON site_modules (site_id) WHERE security_update;

CREATE TABLE audit_logs (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT     NOT NULL UNIQUE,
    site_id      INTEGER  NOT NULL REFERENCES sites (id),
    kind         TEXT     NOT NULL CHECK (kind IN ('inventory', 'composer_lock', 'patch_run')),
    client_id    TEXT, -- snapshot_id or run_id chosen by the client; NULL when none
    data         BLOB, -- the payload as received; NULL once pruned
    status       TEXT     NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'processing', 'processed', 'failed', 'duplicate')),
    attempts     INTEGER  NOT NULL DEFAULT 0,
    error        TEXT     NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    claimed_at   DATETIME,
    processed_at DATETIME,
    UNIQUE (site_id, client_id)
);
CREATE INDEX audit_logs_status_idx ON audit_logs (status, id);
CREATE INDEX audit_logs_site_id_idx ON audit_logs (site_id, id);
CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at);

CREATE TABLE patch_runs (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT     NOT NULL UNIQUE,
    site_id      INTEGER  NOT NULL REFERENCES sites (id),
    run_date     DATETIME NOT NULL,
    started_at   DATETIME,
    finished_at  DATETIME,
    status       TEXT     NOT NULL CHECK (status IN ('succeeded', 'failed', 'partial')),
    tool         TEXT     NOT NULL CHECK (tool IN ('composer', 'drush', 'manual', 'automatic_updates')),
    changes      TEXT     NOT NULL DEFAULT '[]' CHECK (json_valid(changes)), -- [{name, from_version, to_version}]
    notes        TEXT     NOT NULL DEFAULT '',
    recorded_by  INTEGER REFERENCES users (id), -- the user; NULL when a site key pushed it
    audit_log_id INTEGER REFERENCES audit_logs (id), -- the push it came from, if any
    created_at   DATETIME NOT NULL
);
CREATE INDEX patch_runs_site_id_idx ON patch_runs (site_id, run_date);
CREATE INDEX patch_runs_run_date_idx ON patch_runs (run_date);

CREATE TABLE activity_logs (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT     NOT NULL UNIQUE,
    organization_id INTEGER REFERENCES organizations (id),
    user_id         INTEGER REFERENCES users (id),
    action          TEXT     NOT NULL,
    target_type     TEXT     NOT NULL DEFAULT '',
    target_uuid     TEXT     NOT NULL DEFAULT '',
    remote_addr     TEXT     NOT NULL DEFAULT '',
    details         TEXT     NOT NULL DEFAULT '{}' CHECK (json_valid(details)),
    created_at      DATETIME NOT NULL
);
CREATE INDEX activity_logs_organization_id_idx ON activity_logs (organization_id, created_at);
CREATE INDEX activity_logs_created_at_idx ON activity_logs (created_at);
