-- The writer of a feed change (SaveAnalyses) opens or resolves thousands
-- of exposures and changes as many sites in one transaction: it counts them
-- itself, in a handful of rows, instead of having the triggers of 00014 do
-- it (a row trigger per site, an aggregation of the transition tables per
-- statement). While the transaction-local setting fleetwatch.counters is
-- 'off' (set_config(..., true): it ends with the transaction at the
-- latest) the counter triggers do nothing. Same triggers otherwise.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION exposures_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION exposures_count_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE FUNCTION exposures_count_updated() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP TRIGGER sites_count_insert ON sites;
DROP TRIGGER sites_count_update ON sites;
CREATE TRIGGER sites_count_insert AFTER INSERT OR DELETE ON sites
    FOR EACH ROW WHEN (current_setting('fleetwatch.counters', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION sites_count_deltas();
CREATE TRIGGER sites_count_update AFTER UPDATE OF organization_id, is_deleted, updates_available, security_updates ON sites
    FOR EACH ROW WHEN (current_setting('fleetwatch.counters', true) IS DISTINCT FROM 'off')
    EXECUTE FUNCTION sites_count_deltas();
