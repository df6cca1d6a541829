-- OpenID Connect single sign-on: the providers the platform admin
-- configured, their group-to-organization mappings, the link of each
-- user to their subject at a provider, and which provider opened a
-- session (for RP-initiated logout).

-- +goose Up
CREATE TABLE identity_providers (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                TEXT     NOT NULL UNIQUE,
    slug                TEXT     NOT NULL UNIQUE,
    name                TEXT     NOT NULL,
    issuer_url          TEXT     NOT NULL,
    client_id           TEXT     NOT NULL,
    client_secret       TEXT     NOT NULL DEFAULT '', -- encrypted with the secret key
    scopes              TEXT     NOT NULL DEFAULT '', -- space-separated
    groups_claim        TEXT     NOT NULL DEFAULT 'groups',
    enabled             BOOLEAN NOT NULL DEFAULT FALSE,
    allow_email_linking BOOLEAN NOT NULL DEFAULT FALSE,
    auto_provision      BOOLEAN NOT NULL DEFAULT FALSE,
    mfa_amr_values      TEXT     NOT NULL DEFAULT '', -- space-separated
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE identity_provider_groups (
    provider_id     BIGINT NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    group_name      TEXT    NOT NULL,
    organization_id BIGINT REFERENCES organizations (id),
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'org_admin', 'member', 'viewer')),
    PRIMARY KEY (provider_id, position)
);

CREATE TABLE user_identities (
    provider_id BIGINT NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    subject     TEXT   NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    email       TEXT   NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX user_identities_subject_key ON user_identities (provider_id, subject);
CREATE INDEX user_identities_user_id_idx ON user_identities (user_id);

CREATE TABLE sso_sessions (
    session_id  BIGINT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
    id_token    TEXT   NOT NULL DEFAULT '' -- encrypted with the secret key
);

-- +goose Down
DROP TABLE sso_sessions;
DROP TABLE user_identities;
DROP TABLE identity_provider_groups;
DROP TABLE identity_providers;
