-- The ingest worker reads the history intervals a snapshot may replace:
-- the open ones (site_module_history_open_idx) and the closed ones that end
-- after the snapshot's collection time. Without an index on the end, the
-- latter read every interval the site ever had, so that applying a push
-- grew slower with the site's history.

-- +goose Up
CREATE INDEX site_module_history_end_idx ON site_module_history (site_id, valid_to) WHERE valid_to IS NOT NULL;
