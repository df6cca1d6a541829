-- SLA policies, real-time event tickets and the notification delivery log
-- (issue 6), SQLite edition of migrations/postgres/00005_events.sql.

-- +goose Up
CREATE TABLE sla_policies (
    id                       INTEGER PRIMARY KEY,
    uuid                     TEXT     NOT NULL UNIQUE,
    organization_id          INTEGER  NOT NULL REFERENCES organizations (id),
    version                  INTEGER  NOT NULL CHECK (version > 0),
    highly_critical_days     INTEGER  NOT NULL CHECK (highly_critical_days > 0),
    critical_days            INTEGER  NOT NULL CHECK (critical_days > 0),
    moderately_critical_days INTEGER  NOT NULL CHECK (moderately_critical_days > 0),
    less_critical_days       INTEGER  NOT NULL CHECK (less_critical_days > 0),
    not_critical_days        INTEGER  NOT NULL CHECK (not_critical_days > 0),
    clock_start              TEXT     NOT NULL CHECK (clock_start IN ('published', 'detected')),
    created_at               DATETIME NOT NULL,
    created_by               INTEGER REFERENCES users (id),
    UNIQUE (organization_id, version)
);

CREATE TABLE event_tickets (
    ticket_hash TEXT     PRIMARY KEY,
    sealed      BLOB     NOT NULL,
    user_id     INTEGER REFERENCES users (id),
    api_key_id  INTEGER REFERENCES api_keys (id),
    remote_addr TEXT     NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    expires_at  DATETIME NOT NULL
);
CREATE INDEX event_tickets_expires_at_idx ON event_tickets (expires_at);

CREATE TABLE notification_deliveries (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT     NOT NULL UNIQUE,
    user_id    INTEGER  NOT NULL REFERENCES users (id),
    channel    TEXT     NOT NULL CHECK (channel IN ('email', 'webhook')),
    kind       TEXT     NOT NULL,
    dedupe_key TEXT     NOT NULL,
    target     TEXT     NOT NULL DEFAULT '',
    subject    TEXT     NOT NULL DEFAULT '',
    status     TEXT     NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   INTEGER  NOT NULL DEFAULT 0,
    last_error TEXT     NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    sent_at    DATETIME,
    UNIQUE (user_id, channel, dedupe_key)
);
CREATE INDEX notification_deliveries_user_idx ON notification_deliveries (user_id, created_at);
