-- A site's counts of outstanding updates are recounted from its rows with
-- an update (refreshCounters), not from all of them: a feed change
-- recounts every site that runs the project, and a site runs 50-150
-- projects, most of them current. The index holds those rows alone, with
-- both flags, so that a recount reads a few index entries per site. It
-- replaces the index of a site's rows with a security update, which the
-- queries that want those use as well (security_update implies the
-- predicate).

-- +goose Up
CREATE INDEX site_modules_outstanding_idx ON site_modules (site_id, update_available, security_update)
    WHERE update_available OR security_update;
DROP INDEX site_modules_security_update_idx;

-- +goose Down
CREATE INDEX site_modules_security_update_idx ON site_modules (site_id) WHERE security_update;
DROP INDEX site_modules_outstanding_idx;
