-- A verdict's reasons are stored once per distinct text, under the digest
-- of their words (fleetwatch.ReasonsDigest), and site_modules links them
-- (NULL: no reasons): a library's reasons run to kilobytes, and a feed or
-- advisory change re-judging thousands of sites at one version then writes
-- an id to each row instead of the text. Rows are never changed or
-- deleted; reasons_id has no foreign key (see sqlstore/verdictreasons.go).
-- Migration 00043 (Go: the digest is computed there) moves the texts,
-- 00044 drops site_modules.reasons.

-- +goose Up
CREATE TABLE verdict_reasons (
    id      INTEGER PRIMARY KEY,
    digest  TEXT NOT NULL UNIQUE,
    reasons TEXT NOT NULL
);
ALTER TABLE site_modules ADD COLUMN reasons_id INTEGER;

-- +goose Down
ALTER TABLE site_modules DROP COLUMN reasons_id;
DROP TABLE verdict_reasons;
