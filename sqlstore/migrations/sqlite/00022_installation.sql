-- See PostgreSQL's 00022: the installation's id, which namespaces what it
-- puts in Redis, and the check value of its secret key. One row, always.

-- +goose Up
CREATE TABLE installation (
    singleton  INTEGER  PRIMARY KEY DEFAULT 1 CHECK (singleton = 1),
    id         TEXT     NOT NULL,
    key_check  TEXT,
    created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
-- A random (version 4) UUID.
INSERT INTO installation (id) SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' ||
    substr('89ab', 1 + (abs(random()) % 4), 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12))
    FROM (SELECT hex(randomblob(16)) AS h);
