-- An installation is one database and the replicas that serve it. Its id,
-- generated here, names everything it puts in a Redis database shared with
-- other installations (redisx.Namespace). key_check is an HMAC of a fixed
-- text under the secret key: a replica started with another key finds that
-- it does not match and refuses to start (cmd/fleetwatch/keycheck.go). It is
-- NULL until the first replica stores its own. One row, always.

-- +goose Up
CREATE TABLE installation (
    singleton  BOOLEAN     PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    id         TEXT        NOT NULL DEFAULT gen_random_uuid()::text,
    key_check  TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO installation DEFAULT VALUES;
