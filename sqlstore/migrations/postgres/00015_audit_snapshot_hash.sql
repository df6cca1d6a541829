-- What the accept path learned of a pushed inventory or composer.lock while
-- validating it: the content hash of its snapshot, and the time the site
-- collected it when the payload says so (NULL: at its arrival). A worker
-- that finds the hash equal to its site's current one applies the push as
-- unchanged without decoding the payload again. NULL for patch runs and for
-- rows stored before this migration (those are decoded, as before).

-- +goose Up
ALTER TABLE audit_logs ADD COLUMN snapshot_hash TEXT;
ALTER TABLE audit_logs ADD COLUMN snapshot_collected_at TIMESTAMPTZ;

