-- History as append-only change rows, SQLite edition of
-- migrations/postgres/00026_history_changes.sql: one row per change of a
-- site's project (a NULL version and status: it stopped running it), ended
-- by the next row of the same site and project; site_module_history is the
-- view of the intervals. SQLite keeps its references.

-- +goose Up
CREATE TABLE site_module_changes (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER  NOT NULL REFERENCES sites (id),
    module_id  INTEGER  NOT NULL REFERENCES modules (id),
    version    TEXT,
    datestamp  INTEGER  NOT NULL DEFAULT 0,
    status     TEXT
        CHECK (status IN ('current', 'not_current', 'not_secure', 'revoked', 'not_supported', 'unknown')),
    valid_from DATETIME NOT NULL,
    CHECK ((version IS NULL) = (status IS NULL))
);
CREATE UNIQUE INDEX site_module_changes_key ON site_module_changes (site_id, module_id, valid_from);

-- Of intervals sharing a start (none since 00019), the open or latest ending.
INSERT OR IGNORE INTO site_module_changes (id, site_id, module_id, version, datestamp, status, valid_from)
SELECT id, site_id, module_id, version, datestamp, status, valid_from
FROM site_module_history
ORDER BY site_id, module_id, valid_from, valid_to IS NULL DESC, valid_to DESC, id DESC;

INSERT OR IGNORE INTO site_module_changes (site_id, module_id, valid_from)
SELECT site_id, module_id, valid_to FROM (
    SELECT site_id, module_id, valid_to, lead(valid_from) OVER (PARTITION BY site_id, module_id ORDER BY valid_from, id) AS next_from
    FROM site_module_history
) h
WHERE valid_to IS NOT NULL AND (next_from IS NULL OR next_from > valid_to);

UPDATE site_modules SET (history_id, history_from) = (SELECT c.id, c.valid_from FROM site_module_changes c
    WHERE c.site_id = site_modules.site_id AND c.module_id = site_modules.module_id ORDER BY c.valid_from DESC LIMIT 1)
WHERE NOT EXISTS (SELECT 1 FROM site_module_changes k WHERE k.id = site_modules.history_id);

DROP TABLE site_module_history;

CREATE VIEW site_module_history AS
SELECT id, site_id, module_id, version, datestamp, status, valid_from, valid_to
FROM (
    SELECT id, site_id, module_id, version, datestamp, status, valid_from,
        lead(valid_from) OVER (PARTITION BY site_id, module_id ORDER BY valid_from) AS valid_to
    FROM site_module_changes
) h
WHERE version IS NOT NULL;

-- +goose Down
CREATE TABLE site_module_intervals (
    id         INTEGER PRIMARY KEY,
    site_id    INTEGER  NOT NULL REFERENCES sites (id),
    module_id  INTEGER  NOT NULL REFERENCES modules (id),
    version    TEXT     NOT NULL,
    status     TEXT     NOT NULL DEFAULT 'unknown'
        CHECK (status IN ('current', 'not_current', 'not_secure', 'revoked', 'not_supported', 'unknown')),
    valid_from DATETIME NOT NULL,
    valid_to   DATETIME,
    datestamp  INTEGER NOT NULL DEFAULT 0,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
);
INSERT INTO site_module_intervals (id, site_id, module_id, version, status, valid_from, valid_to, datestamp)
SELECT id, site_id, module_id, version, status, valid_from, valid_to, datestamp FROM site_module_history;
DROP VIEW site_module_history;
DROP TABLE site_module_changes;
ALTER TABLE site_module_intervals RENAME TO site_module_history;
CREATE INDEX site_module_history_site_idx ON site_module_history (site_id, valid_from);
