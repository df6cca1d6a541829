-- Counters of the exposures kept by the database itself, whatever path
-- writes them (issue #6), so that the summary and the trends of the fleet
-- or of an organization add up a few thousand rows instead of scanning
-- every exposure:
--  - exposure_open_deltas: the open exposures by organization, severity
--    and UTC day of their deadline (the summary's counts by severity, and
--    its overdue count up to today's midnight);
--  - exposure_instant_deltas: the instants of every exposure (see
--    fleetwatch.InstantDetected...) by organization, kind and UTC day (the
--    trends up to today's midnight).
-- Triggers on exposures add a row +1 for each count a new or changed row
-- enters and -1 for each it leaves; the rows are only inserted (no lock is
-- held on a shared counter by the ingest transactions), and the rollup job
-- folds them into one row per key (CompactExposureCounters). Readers sum
-- n. Exposures of deleted sites are counted too: readers subtract them
-- (few), and today's figures are computed live.

-- +goose Up
CREATE TABLE exposure_open_deltas (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id BIGINT  NOT NULL,
    severity        TEXT    NOT NULL,
    due_day         DATE    NOT NULL,
    n               INTEGER NOT NULL
);
CREATE INDEX exposure_open_deltas_org_idx ON exposure_open_deltas (organization_id, due_day) INCLUDE (severity, n);

CREATE TABLE exposure_instant_deltas (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id BIGINT   NOT NULL,
    kind            SMALLINT NOT NULL,
    day             DATE     NOT NULL,
    n               INTEGER  NOT NULL
);
CREATE INDEX exposure_instant_deltas_org_idx ON exposure_instant_deltas (organization_id, day) INCLUDE (kind, n);

-- The instants of one exposure, each with sign: kinds 0 detected,
-- 1 resolved, 2 resolved within its deadline, 3 overdue from (the later of
-- deadline and detection), 4 overdue to (the later of resolution and
-- deadline).
-- +goose StatementBegin
CREATE FUNCTION exposure_instants(org BIGINT, det TIMESTAMPTZ, due TIMESTAMPTZ, res TIMESTAMPTZ, outcome TEXT, sign INTEGER)
    RETURNS TABLE (organization_id BIGINT, kind SMALLINT, day DATE, n INTEGER)
    LANGUAGE sql IMMUTABLE AS $$
    SELECT org, v.k::SMALLINT, (v.t AT TIME ZONE 'UTC')::date, sign
    FROM (VALUES (0, det), (1, res), (2, CASE WHEN outcome = 'within' THEN res END), (3, GREATEST(due, det)),
                 (4, CASE WHEN res IS NOT NULL THEN GREATEST(res, due) END)) v (k, t)
    WHERE v.t IS NOT NULL
$$;
-- +goose StatementEnd

-- Statement triggers: one aggregated insert per statement, from its
-- transition tables (a feed change opens or closes 10,000 exposures at once).
-- +goose StatementBegin
CREATE FUNCTION exposures_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
    SELECT x.organization_id, x.severity, x.d, sum(x.n) FROM (
            SELECT r.organization_id, r.severity, (r.due_at AT TIME ZONE 'UTC')::date AS d, 1 AS n FROM new_rows r WHERE r.resolved_at IS NULL) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0;
    INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
    SELECT x.organization_id, x.kind, x.day, sum(x.n) FROM (
            SELECT i.* FROM new_rows r, LATERAL exposure_instants(r.organization_id, r.detected_at, r.due_at, r.resolved_at, r.sla_outcome, 1) i) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER exposures_count_inserted AFTER INSERT ON exposures REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exposures_count_inserted();

-- +goose StatementBegin
CREATE FUNCTION exposures_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
    SELECT x.organization_id, x.severity, x.d, sum(x.n) FROM (
            SELECT r.organization_id, r.severity, (r.due_at AT TIME ZONE 'UTC')::date AS d, -1 AS n FROM old_rows r WHERE r.resolved_at IS NULL) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0;
    INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
    SELECT x.organization_id, x.kind, x.day, sum(x.n) FROM (
            SELECT i.* FROM old_rows r, LATERAL exposure_instants(r.organization_id, r.detected_at, r.due_at, r.resolved_at, r.sla_outcome, -1) i) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER exposures_count_deleted AFTER DELETE ON exposures REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exposures_count_deleted();

-- +goose StatementBegin
CREATE FUNCTION exposures_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
    SELECT x.organization_id, x.severity, x.d, sum(x.n) FROM (
            SELECT r.organization_id, r.severity, (r.due_at AT TIME ZONE 'UTC')::date AS d, -1 AS n FROM old_rows r WHERE r.resolved_at IS NULL
            UNION ALL
            SELECT r.organization_id, r.severity, (r.due_at AT TIME ZONE 'UTC')::date AS d, 1 AS n FROM new_rows r WHERE r.resolved_at IS NULL) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0;
    INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
    SELECT x.organization_id, x.kind, x.day, sum(x.n) FROM (
            SELECT i.* FROM old_rows r, LATERAL exposure_instants(r.organization_id, r.detected_at, r.due_at, r.resolved_at, r.sla_outcome, -1) i
            UNION ALL
            SELECT i.* FROM new_rows r, LATERAL exposure_instants(r.organization_id, r.detected_at, r.due_at, r.resolved_at, r.sla_outcome, 1) i) x
    GROUP BY 1, 2, 3 HAVING sum(x.n) <> 0;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER exposures_count_updated AFTER UPDATE ON exposures REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exposures_count_updated();

INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
SELECT organization_id, severity, (due_at AT TIME ZONE 'UTC')::date, count(*) FROM exposures WHERE resolved_at IS NULL GROUP BY 1, 2, 3;
INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
SELECT i.organization_id, i.kind, i.day, sum(i.n)
FROM exposures e, LATERAL exposure_instants(e.organization_id, e.detected_at, e.due_at, e.resolved_at, e.sla_outcome, 1) i
GROUP BY 1, 2, 3;
-- Today's figures are computed live: the exposures detected today.
CREATE INDEX exposures_detected_at_idx ON exposures (detected_at);

-- The summary's site figures of a fleet or an organization the same way:
-- its sites, their outstanding updates and those with a security update
-- (sites that are not deleted), by organization. The sites seen in the
-- last day and the stale ones are counted from the index of last_seen_at,
-- which now covers the organization and is_active.
CREATE TABLE site_count_deltas (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id   BIGINT  NOT NULL,
    sites             INTEGER NOT NULL,
    updates_available BIGINT  NOT NULL,
    with_security     INTEGER NOT NULL
);
CREATE INDEX site_count_deltas_org_idx ON site_count_deltas (organization_id) INCLUDE (sites, updates_available, with_security);

-- +goose StatementBegin
CREATE FUNCTION sites_count_deltas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
        SELECT NEW.organization_id, 1, NEW.updates_available, CASE WHEN NEW.security_updates > 0 THEN 1 ELSE 0 END
        WHERE NOT NEW.is_deleted;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
        SELECT OLD.organization_id, -1, -OLD.updates_available, CASE WHEN OLD.security_updates > 0 THEN -1 ELSE 0 END
        WHERE NOT OLD.is_deleted;
    ELSE
        INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
        SELECT v.o, sum(v.s), sum(v.u), sum(v.w) FROM (
            SELECT OLD.organization_id, -1, -OLD.updates_available, CASE WHEN OLD.security_updates > 0 THEN -1 ELSE 0 END
            WHERE NOT OLD.is_deleted
            UNION ALL
            SELECT NEW.organization_id, 1, NEW.updates_available, CASE WHEN NEW.security_updates > 0 THEN 1 ELSE 0 END
            WHERE NOT NEW.is_deleted) v (o, s, u, w)
        GROUP BY v.o HAVING sum(v.s) <> 0 OR sum(v.u) <> 0 OR sum(v.w) <> 0;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER sites_count_insert AFTER INSERT OR DELETE ON sites
    FOR EACH ROW EXECUTE FUNCTION sites_count_deltas();
CREATE TRIGGER sites_count_update AFTER UPDATE OF organization_id, is_deleted, updates_available, security_updates ON sites
    FOR EACH ROW EXECUTE FUNCTION sites_count_deltas();

INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
SELECT organization_id, count(*), sum(updates_available), count(*) FILTER (WHERE security_updates > 0)
FROM sites WHERE NOT is_deleted GROUP BY organization_id;

DROP INDEX sites_last_seen_at_idx;
CREATE INDEX sites_last_seen_at_idx ON sites (last_seen_at) INCLUDE (organization_id, is_active) WHERE NOT is_deleted;
