-- site_modules.history_id names the open interval of each row, and
-- history_from its start: the ingest and a feed change find the intervals
-- they end through it (see PostgreSQL's 00019, which also repairs the
-- history earlier versions left inconsistent, as this one does). The stale
-- index's predicate becomes a column, so that both databases run the same
-- query. SQLite keeps history's partial indexes: it has no HOT updates to
-- win, and its out-of-order reads use them.

-- +goose Up
-- The open interval each site_modules row keeps: the one with the row's
-- version and build, the latest if several.
CREATE TEMP TABLE history_keep AS
SELECT site_id, module_id, id, valid_from FROM (
    SELECT h.site_id, h.module_id, h.id, h.valid_from, ROW_NUMBER() OVER (PARTITION BY h.site_id, h.module_id
        ORDER BY (h.version = mv.version_number AND h.datestamp = sm.datestamp) DESC, h.valid_from DESC, h.id DESC) AS n
    FROM site_module_history h
    JOIN site_modules sm ON sm.site_id = h.site_id AND sm.module_id = h.module_id
    LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
    WHERE h.valid_to IS NULL)
WHERE n = 1;
-- The other open intervals of those projects: dropped when they start at or
-- after the kept one, ended where it starts otherwise.
DELETE FROM site_module_history WHERE valid_to IS NULL AND id NOT IN (SELECT id FROM history_keep)
    AND EXISTS (SELECT 1 FROM history_keep k WHERE k.site_id = site_module_history.site_id
        AND k.module_id = site_module_history.module_id AND site_module_history.valid_from >= k.valid_from);
UPDATE site_module_history SET valid_to = (SELECT k.valid_from FROM history_keep k
        WHERE k.site_id = site_module_history.site_id AND k.module_id = site_module_history.module_id)
    WHERE valid_to IS NULL AND id NOT IN (SELECT id FROM history_keep)
        AND EXISTS (SELECT 1 FROM history_keep k WHERE k.site_id = site_module_history.site_id AND k.module_id = site_module_history.module_id);
DROP TABLE history_keep;
-- Open intervals of projects the site no longer runs: dropped when they
-- start at or after the site's last collection, ended there otherwise.
DELETE FROM site_module_history WHERE valid_to IS NULL
    AND NOT EXISTS (SELECT 1 FROM site_modules sm WHERE sm.site_id = site_module_history.site_id AND sm.module_id = site_module_history.module_id)
    AND valid_from >= (SELECT s.inventory_collected_at FROM sites s WHERE s.id = site_module_history.site_id);
UPDATE site_module_history SET valid_to = (SELECT s.inventory_collected_at FROM sites s WHERE s.id = site_module_history.site_id)
    WHERE valid_to IS NULL
        AND NOT EXISTS (SELECT 1 FROM site_modules sm WHERE sm.site_id = site_module_history.site_id AND sm.module_id = site_module_history.module_id)
        AND (SELECT s.inventory_collected_at FROM sites s WHERE s.id = site_module_history.site_id) IS NOT NULL;
-- Rows without an open interval get one from the site's last collection
-- (when they were last known to run it).
INSERT INTO site_module_history (site_id, module_id, version, datestamp, status, valid_from)
SELECT sm.site_id, sm.module_id, COALESCE(mv.version_number, ''), sm.datestamp, sm.status, COALESCE(s.inventory_collected_at, sm.updated_at)
FROM site_modules sm JOIN sites s ON s.id = sm.site_id LEFT JOIN module_versions mv ON mv.id = sm.current_version_id
WHERE NOT EXISTS (SELECT 1 FROM site_module_history h WHERE h.site_id = sm.site_id AND h.module_id = sm.module_id AND h.valid_to IS NULL);

ALTER TABLE site_modules ADD COLUMN history_id INTEGER;
ALTER TABLE site_modules ADD COLUMN history_from DATETIME;
UPDATE site_modules SET history_id = (SELECT h.id FROM site_module_history h
    WHERE h.site_id = site_modules.site_id AND h.module_id = site_modules.module_id AND h.valid_to IS NULL);
UPDATE site_modules SET history_from = (SELECT h.valid_from FROM site_module_history h WHERE h.id = site_modules.history_id);
ALTER TABLE site_modules ADD COLUMN stale INTEGER GENERATED ALWAYS AS (analyzed_at IS NULL OR updated_at <> analyzed_at) VIRTUAL;
DROP INDEX site_modules_stale_idx;
CREATE INDEX site_modules_stale_idx ON site_modules (site_id) WHERE stale;
