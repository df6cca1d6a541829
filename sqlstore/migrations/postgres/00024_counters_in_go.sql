-- The report counters (exposure_open_deltas, exposure_instant_deltas,
-- site_count_deltas) are kept by the Go code that writes exposures and
-- sites, in the same transaction (sqlstore/counters.go), no longer by the
-- triggers of 00014 and 00017 with their pause switch: one place counts.
-- The counter rows written so far stay valid.

-- +goose Up
DROP TRIGGER exposures_count_inserted ON exposures;
DROP TRIGGER exposures_count_deleted ON exposures;
DROP TRIGGER exposures_count_updated ON exposures;
DROP TRIGGER sites_count_insert ON sites;
DROP TRIGGER sites_count_update ON sites;
DROP FUNCTION exposures_count_inserted();
DROP FUNCTION exposures_count_deleted();
DROP FUNCTION exposures_count_updated();
DROP FUNCTION sites_count_deltas();
DROP FUNCTION exposure_instants(BIGINT, TIMESTAMPTZ, TIMESTAMPTZ, TIMESTAMPTZ, TEXT, INTEGER);

-- +goose Down
-- The triggers as 00017 left them. Rows written meanwhile were counted by
-- the Go code; the triggers count what comes after.
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

-- +goose StatementBegin
CREATE FUNCTION exposures_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fleetwatch.counters', true) = 'off' THEN
        RETURN NULL;
    END IF;
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

-- +goose StatementBegin
CREATE FUNCTION exposures_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fleetwatch.counters', true) = 'off' THEN
        RETURN NULL;
    END IF;
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

-- +goose StatementBegin
CREATE FUNCTION exposures_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fleetwatch.counters', true) = 'off' THEN
        RETURN NULL;
    END IF;
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
CREATE TRIGGER exposures_count_inserted AFTER INSERT ON exposures REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exposures_count_inserted();
CREATE TRIGGER exposures_count_deleted AFTER DELETE ON exposures REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exposures_count_deleted();
CREATE TRIGGER exposures_count_updated AFTER UPDATE ON exposures REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION exposures_count_updated();

CREATE TRIGGER sites_count_insert AFTER INSERT OR DELETE ON sites
    FOR EACH ROW WHEN (current_setting('fleetwatch.counters', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION sites_count_deltas();
CREATE TRIGGER sites_count_update AFTER UPDATE OF organization_id, is_deleted, updates_available, security_updates ON sites
    FOR EACH ROW WHEN (current_setting('fleetwatch.counters', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION sites_count_deltas();
