-- Sign-in sessions with their rotating refresh tokens, API keys, and the
-- second factor's state (docs/architecture.md: authentication).

-- +goose Up
CREATE TABLE sessions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid        TEXT        NOT NULL UNIQUE,
    user_id     BIGINT      NOT NULL REFERENCES users (id),
    remote_addr TEXT        NOT NULL DEFAULT '',
    user_agent  TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Each refresh token is used once; the chain of a session is its family.
CREATE TABLE refresh_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id BIGINT      NOT NULL REFERENCES sessions (id),
    token_hash TEXT        NOT NULL UNIQUE, -- SHA-256 of the token
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_session_id_idx ON refresh_tokens (session_id);

CREATE TABLE api_keys (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid            TEXT        NOT NULL UNIQUE,
    kind            TEXT        NOT NULL CHECK (kind IN ('site', 'integration')),
    name            TEXT        NOT NULL,
    scope           TEXT        NOT NULL DEFAULT '' CHECK (scope IN ('', 'read', 'write')),
    prefix          TEXT        NOT NULL,
    key_hash        TEXT        NOT NULL UNIQUE, -- SHA-256 of the key
    organization_id BIGINT      NOT NULL REFERENCES organizations (id),
    site_id         BIGINT REFERENCES sites (id),
    created_at      TIMESTAMPTZ NOT NULL,
    created_by      BIGINT REFERENCES users (id),
    last_used_at    TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ,
    CHECK ((kind = 'site') = (site_id IS NOT NULL)),
    CHECK ((kind = 'integration') = (scope <> ''))
);
CREATE INDEX api_keys_site_id_idx ON api_keys (site_id);
CREATE INDEX api_keys_organization_id_idx ON api_keys (organization_id);

CREATE TABLE backup_codes (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id   BIGINT      NOT NULL REFERENCES users (id),
    code_hash TEXT        NOT NULL,
    used_at   TIMESTAMPTZ,
    UNIQUE (user_id, code_hash)
);

-- The newest TOTP time step accepted, so that a code cannot be replayed.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
