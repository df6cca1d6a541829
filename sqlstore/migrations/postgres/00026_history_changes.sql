-- History as append-only change rows: one row per change, never updated.
--
-- site_module_history kept validity intervals [valid_from, valid_to): each
-- change inserted the new interval and updated the old one to end it (and
-- a feed change's split wrote three rows). site_module_changes keeps one
-- row per change of a site's project, at the time it took effect: the
-- version, build and status the site ran from valid_from on, or, with a
-- NULL version and status, that it stopped running the project then. A
-- row ends where the next row of the same site and project starts, so no
-- row is ever ended by a write. Rows of a site and project never share a
-- start (the unique index, which also orders them for every read).
--
-- site_module_history stays, as a view that gives the intervals back (the
-- next row's start as valid_to, without the removal rows), with the ids of
-- the rows they start with: site_modules.history_id names the open one, as
-- before. Existing intervals keep their ids; each end not followed by an
-- interval of the same project at that instant becomes a removal row.
-- Intervals that overlapped (none since 00019) are cut where the later
-- one starts.
--
-- No reference to sites or modules, as for the table before (00018, 00020).

-- +goose Up
CREATE TABLE site_module_changes (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT      NOT NULL,
    module_id  BIGINT      NOT NULL,
    version    TEXT,
    datestamp  BIGINT      NOT NULL DEFAULT 0,
    status     TEXT
        CHECK (status IN ('current', 'not_current', 'not_secure', 'revoked', 'not_supported', 'unknown')),
    valid_from TIMESTAMPTZ NOT NULL,
    CHECK ((version IS NULL) = (status IS NULL))
);

INSERT INTO site_module_changes (id, site_id, module_id, version, datestamp, status, valid_from) OVERRIDING SYSTEM VALUE
SELECT DISTINCT ON (site_id, module_id, valid_from) id, site_id, module_id, version, datestamp, status, valid_from
FROM site_module_history
ORDER BY site_id, module_id, valid_from, valid_to IS NULL DESC, valid_to DESC, id DESC;
SELECT setval(pg_get_serial_sequence('site_module_changes', 'id'), GREATEST((SELECT max(id) FROM site_module_changes), 1));

INSERT INTO site_module_changes (site_id, module_id, valid_from)
SELECT site_id, module_id, valid_to FROM (
    SELECT site_id, module_id, valid_to, lead(valid_from) OVER (PARTITION BY site_id, module_id ORDER BY valid_from, id) AS next_from
    FROM site_module_history
) h
WHERE valid_to IS NOT NULL AND (next_from IS NULL OR next_from > valid_to)
ON CONFLICT DO NOTHING;

CREATE UNIQUE INDEX site_module_changes_key ON site_module_changes (site_id, module_id, valid_from);

-- A row whose link names an interval dropped above (a duplicate start)
-- names its project's latest row instead.
UPDATE site_modules sm SET (history_id, history_from) = (SELECT c.id, c.valid_from FROM site_module_changes c
    WHERE c.site_id = sm.site_id AND c.module_id = sm.module_id ORDER BY c.valid_from DESC LIMIT 1)
WHERE NOT EXISTS (SELECT 1 FROM site_module_changes k WHERE k.id = sm.history_id);

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
-- The intervals as the view gives them, in a table of the old shape.
CREATE TABLE site_module_intervals (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id    BIGINT      NOT NULL,
    module_id  BIGINT      NOT NULL,
    version    TEXT        NOT NULL,
    status     TEXT        NOT NULL DEFAULT 'unknown'
        CHECK (status IN ('current', 'not_current', 'not_secure', 'revoked', 'not_supported', 'unknown')),
    valid_from TIMESTAMPTZ NOT NULL,
    valid_to   TIMESTAMPTZ,
    datestamp  BIGINT      NOT NULL DEFAULT 0,
    CHECK (valid_to IS NULL OR valid_to > valid_from)
) WITH (fillfactor = 50);
INSERT INTO site_module_intervals (id, site_id, module_id, version, status, valid_from, valid_to, datestamp) OVERRIDING SYSTEM VALUE
SELECT id, site_id, module_id, version, status, valid_from, valid_to, datestamp FROM site_module_history;
SELECT setval(pg_get_serial_sequence('site_module_intervals', 'id'), GREATEST((SELECT max(id) FROM site_module_changes), 1));
DROP VIEW site_module_history;
DROP TABLE site_module_changes;
ALTER TABLE site_module_intervals RENAME TO site_module_history;
ALTER INDEX site_module_intervals_pkey RENAME TO site_module_history_pkey;
CREATE INDEX site_module_history_site_idx ON site_module_history (site_id, valid_from);
