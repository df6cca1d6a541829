-- A changed inventory rewrites a row of site_modules and ends a history
-- interval per changed project. Both writes were the costly kind: each new
-- row version went into every index of its table, because an indexed
-- column changed (updated_at and analyzed_at, in the stale index's
-- predicate; valid_to, in the history's open and end indexes).
--
-- site_modules.history_id names the open interval of each row, and
-- history_from its start, so that the ingest and a feed change find the
-- intervals they end through site_modules instead of through history's
-- partial indexes, and those indexes go. The stale index's predicate becomes a stored
-- column that an ingest with verdicts leaves false. With room left on each
-- page (fillfactor), the update of a site_modules row, and often the end of
-- an interval, stays on its page and writes no index entry (a HOT update).
--
-- An out-of-order snapshot still reads the site's intervals around its
-- time, now through (site_id, valid_from): it reads the site's older
-- intervals too, a cost paid only by such snapshots.

-- +goose Up
ALTER TABLE site_modules ADD COLUMN history_id BIGINT;
ALTER TABLE site_modules ADD COLUMN history_from TIMESTAMPTZ;
UPDATE site_modules SET history_id = h.id, history_from = h.valid_from FROM site_module_history h
    WHERE h.site_id = site_modules.site_id AND h.module_id = site_modules.module_id AND h.valid_to IS NULL;
ALTER TABLE site_modules ADD COLUMN stale BOOLEAN GENERATED ALWAYS AS (analyzed_at IS NULL OR updated_at <> analyzed_at) STORED;
DROP INDEX site_modules_stale_idx;
CREATE INDEX site_modules_stale_idx ON site_modules (site_id) WHERE stale;
ALTER TABLE site_modules SET (fillfactor = 80);
ALTER TABLE site_module_history SET (fillfactor = 90);
DROP INDEX site_module_history_open_idx;
DROP INDEX site_module_history_end_idx;
