-- The advisories of PHP libraries (GitHub's OSV entries and FriendsOfPHP's,
-- merged by CVE and GHSA id) are kept one row per package an advisory
-- names, so that the analysis reads a library's by an index lookup on both
-- databases: the merged advisory as JSON (its ranges in Composer
-- constraints) and the hash that says whether a refresh changed it. The
-- table 00036 created, one row per advisory, was never written.

-- +goose Up
DROP TABLE library_advisories;
CREATE TABLE library_advisories (
    package TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    severity TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (package, advisory_id)
);

-- +goose Down
DROP TABLE library_advisories;
CREATE TABLE library_advisories (
    advisory_id  TEXT        PRIMARY KEY,
    packages     JSONB NOT NULL,
    body         JSONB NOT NULL,
    content_hash TEXT        NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
