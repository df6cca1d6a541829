-- site_modules.history_id names the open interval of each row, and
-- history_from its start: the ingest
-- and a feed change find the intervals they end through it (see
-- PostgreSQL's 00019). The stale index's predicate becomes a column, so
-- that both databases run the same query. SQLite keeps history's partial
-- indexes: it has no HOT updates to win, and its out-of-order reads use them.

-- +goose Up
ALTER TABLE site_modules ADD COLUMN history_id INTEGER;
ALTER TABLE site_modules ADD COLUMN history_from DATETIME;
UPDATE site_modules SET history_id = (SELECT h.id FROM site_module_history h
    WHERE h.site_id = site_modules.site_id AND h.module_id = site_modules.module_id AND h.valid_to IS NULL);
UPDATE site_modules SET history_from = (SELECT h.valid_from FROM site_module_history h WHERE h.id = site_modules.history_id);
ALTER TABLE site_modules ADD COLUMN stale INTEGER GENERATED ALWAYS AS (analyzed_at IS NULL OR updated_at <> analyzed_at) VIRTUAL;
DROP INDEX site_modules_stale_idx;
CREATE INDEX site_modules_stale_idx ON site_modules (site_id) WHERE stale;
