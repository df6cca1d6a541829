-- A changed inventory rewrites a row of site_modules and ends a history
-- interval per changed project. Both writes were the costly kind: each new
-- row version went into every index of its table, because an indexed
-- column changed (updated_at and analyzed_at, in the stale index's
-- predicate; valid_to, in the history's open and end indexes).
--
-- site_modules.history_id names the open interval of each row, and
-- history_from its start, so that the ingest and a feed change find the
-- intervals they end through site_modules instead of through history's
-- partial indexes, and those indexes go. The stale index's predicate
-- becomes a stored column that an ingest with verdicts leaves false. With
-- room left on each page (fillfactor), the update of a site_modules row,
-- and often the end of an interval, stays on its page and writes no index
-- entry (a HOT update).
--
-- An out-of-order snapshot still reads the site's intervals around its
-- time, now through (site_id, valid_from): it reads the site's older
-- intervals too, a cost paid only by such snapshots.
--
-- Before the link, the history is repaired where earlier versions left it
-- inconsistent: a snapshot collected before a feed change but applied after
-- it ended only the interval valid at its collection, so that the interval
-- the feed change had opened stayed open beside the snapshot's (or beside
-- none, when the snapshot removed the project).

-- +goose Up
-- The open interval each site_modules row keeps: the one with the row's
-- version and build, the latest if several.
CREATE TEMP TABLE history_keep ON COMMIT DROP AS
SELECT DISTINCT ON (h.site_id, h.module_id) h.site_id, h.module_id, h.id, h.valid_from
FROM site_module_history h
JOIN site_modules sm ON sm.site_id = h.site_id AND sm.module_id = h.module_id
LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
WHERE h.valid_to IS NULL
ORDER BY h.site_id, h.module_id, (h.version = mv.version_number AND h.datestamp = sm.datestamp) DESC, h.valid_from DESC, h.id DESC;
-- The other open intervals of those projects: dropped when they start at or
-- after the kept one, ended where it starts otherwise.
DELETE FROM site_module_history h USING history_keep k
WHERE h.site_id = k.site_id AND h.module_id = k.module_id AND h.valid_to IS NULL AND h.id <> k.id AND h.valid_from >= k.valid_from;
UPDATE site_module_history h SET valid_to = k.valid_from FROM history_keep k
WHERE h.site_id = k.site_id AND h.module_id = k.module_id AND h.valid_to IS NULL AND h.id <> k.id;
-- Open intervals of projects the site no longer runs: dropped when they
-- start at or after the site's last collection, ended there otherwise.
DELETE FROM site_module_history h USING sites s
WHERE s.id = h.site_id AND h.valid_to IS NULL AND h.valid_from >= s.inventory_collected_at
    AND NOT EXISTS (SELECT 1 FROM site_modules sm WHERE sm.site_id = h.site_id AND sm.module_id = h.module_id);
UPDATE site_module_history h SET valid_to = s.inventory_collected_at FROM sites s
WHERE s.id = h.site_id AND h.valid_to IS NULL AND s.inventory_collected_at IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM site_modules sm WHERE sm.site_id = h.site_id AND sm.module_id = h.module_id);
-- Rows without an open interval get one from the site's last collection
-- (when they were last known to run it).
INSERT INTO site_module_history (site_id, module_id, version, datestamp, status, valid_from)
SELECT sm.site_id, sm.module_id, COALESCE(mv.version_number, ''), sm.datestamp, sm.status, COALESCE(s.inventory_collected_at, sm.updated_at)
FROM site_modules sm JOIN sites s ON s.id = sm.site_id LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
WHERE NOT EXISTS (SELECT 1 FROM site_module_history h WHERE h.site_id = sm.site_id AND h.module_id = sm.module_id AND h.valid_to IS NULL);

-- The fillfactor first: adding the stored column rewrites the table, and
-- the rewrite leaves that room on every page.
ALTER TABLE site_modules SET (fillfactor = 80);
ALTER TABLE site_modules ADD COLUMN history_id BIGINT;
ALTER TABLE site_modules ADD COLUMN history_from TIMESTAMPTZ;
UPDATE site_modules SET history_id = h.id, history_from = h.valid_from FROM site_module_history h
    WHERE h.site_id = site_modules.site_id AND h.module_id = site_modules.module_id AND h.valid_to IS NULL;
ALTER TABLE site_modules ADD COLUMN stale BOOLEAN GENERATED ALWAYS AS (analyzed_at IS NULL OR updated_at <> analyzed_at) STORED;
DROP INDEX site_modules_stale_idx;
CREATE INDEX site_modules_stale_idx ON site_modules (site_id) WHERE stale;
ALTER TABLE site_module_history SET (fillfactor = 90);
DROP INDEX site_module_history_open_idx;
DROP INDEX site_module_history_end_idx;
