-- SLA policies, real-time event tickets and the notification delivery log
-- (issue 6; docs/architecture.md: SLA and real time).

-- +goose Up
-- Every change of a policy is a new version; the newest is in force.
CREATE TABLE sla_policies (
    id                       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid                     TEXT        NOT NULL UNIQUE,
    organization_id          BIGINT      NOT NULL REFERENCES organizations (id),
    version                  INTEGER     NOT NULL CHECK (version > 0),
    highly_critical_days     INTEGER     NOT NULL CHECK (highly_critical_days > 0),
    critical_days            INTEGER     NOT NULL CHECK (critical_days > 0),
    moderately_critical_days INTEGER     NOT NULL CHECK (moderately_critical_days > 0),
    less_critical_days       INTEGER     NOT NULL CHECK (less_critical_days > 0),
    not_critical_days        INTEGER     NOT NULL CHECK (not_critical_days > 0),
    clock_start              TEXT        NOT NULL CHECK (clock_start IN ('published', 'detected')),
    created_at               TIMESTAMPTZ NOT NULL,
    created_by               BIGINT REFERENCES users (id),
    CONSTRAINT sla_policies_version_key UNIQUE (organization_id, version)
);

-- Single-use tickets for EventSource clients. Only the ticket's hash is
-- kept; the credential is sealed with a key derived from the ticket.
CREATE TABLE event_tickets (
    ticket_hash TEXT        PRIMARY KEY,
    sealed      BYTEA       NOT NULL,
    user_id     BIGINT REFERENCES users (id),
    api_key_id  BIGINT REFERENCES api_keys (id),
    remote_addr TEXT        NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX event_tickets_expires_at_idx ON event_tickets (expires_at);

-- One row per notification to one user on one channel. The unique key is
-- the claim that keeps replicas from sending the same notification twice.
CREATE TABLE notification_deliveries (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid       TEXT        NOT NULL UNIQUE,
    user_id    BIGINT      NOT NULL REFERENCES users (id),
    channel    TEXT        NOT NULL CHECK (channel IN ('email', 'webhook')),
    kind       TEXT        NOT NULL,
    dedupe_key TEXT        NOT NULL,
    target     TEXT        NOT NULL DEFAULT '',
    subject    TEXT        NOT NULL DEFAULT '',
    status     TEXT        NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   INTEGER     NOT NULL DEFAULT 0,
    last_error TEXT        NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    sent_at    TIMESTAMPTZ,
    CONSTRAINT notification_deliveries_claim_key UNIQUE (user_id, channel, dedupe_key)
);
CREATE INDEX notification_deliveries_user_idx ON notification_deliveries (user_id, created_at);
