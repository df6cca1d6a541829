-- The report counters are kept by the Go code that writes exposures and
-- sites, in the same transaction (sqlstore/counters.go), no longer by the
-- triggers of 00014 and 00017 with their pause table: one place counts.
-- The counter rows written so far stay valid.

-- +goose Up
DROP TRIGGER exposures_count_insert;
DROP TRIGGER exposures_count_delete;
DROP TRIGGER exposures_count_update;
DROP TRIGGER sites_count_insert;
DROP TRIGGER sites_count_delete;
DROP TRIGGER sites_count_update;
DROP TABLE counters_paused;

-- +goose Down
-- The triggers as 00017 left them. Rows written meanwhile were counted by
-- the Go code; the triggers count what comes after.
CREATE TABLE counters_paused (id INTEGER PRIMARY KEY CHECK (id = 1));

-- +goose StatementBegin
CREATE TRIGGER exposures_count_insert AFTER INSERT ON exposures
    WHEN NOT EXISTS (SELECT 1 FROM counters_paused) BEGIN
    INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
    SELECT NEW.organization_id, NEW.severity, substr(NEW.due_at, 1, 10), 1 WHERE NEW.resolved_at IS NULL;
    INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
    SELECT NEW.organization_id AS o, v.k AS k, substr(v.t, 1, 10) AS d, 1 AS n FROM (
            SELECT 0 AS k, NEW.detected_at AS t UNION ALL SELECT 1, NEW.resolved_at
            UNION ALL SELECT 2, CASE WHEN NEW.sla_outcome = 'within' THEN NEW.resolved_at END
            UNION ALL SELECT 3, max(NEW.due_at, NEW.detected_at)
            UNION ALL SELECT 4, CASE WHEN NEW.resolved_at IS NOT NULL THEN max(NEW.resolved_at, NEW.due_at) END) v
        WHERE v.t IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER exposures_count_delete AFTER DELETE ON exposures
    WHEN NOT EXISTS (SELECT 1 FROM counters_paused) BEGIN
    INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
    SELECT OLD.organization_id, OLD.severity, substr(OLD.due_at, 1, 10), -1 WHERE OLD.resolved_at IS NULL;
    INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
    SELECT OLD.organization_id AS o, v.k AS k, substr(v.t, 1, 10) AS d, -1 AS n FROM (
            SELECT 0 AS k, OLD.detected_at AS t UNION ALL SELECT 1, OLD.resolved_at
            UNION ALL SELECT 2, CASE WHEN OLD.sla_outcome = 'within' THEN OLD.resolved_at END
            UNION ALL SELECT 3, max(OLD.due_at, OLD.detected_at)
            UNION ALL SELECT 4, CASE WHEN OLD.resolved_at IS NOT NULL THEN max(OLD.resolved_at, OLD.due_at) END) v
        WHERE v.t IS NOT NULL;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER exposures_count_update AFTER UPDATE OF organization_id, severity, detected_at, due_at, resolved_at, sla_outcome ON exposures
    WHEN NOT EXISTS (SELECT 1 FROM counters_paused) BEGIN
    INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
    SELECT v.o, v.s, v.d, sum(v.n) FROM (
        SELECT OLD.organization_id AS o, OLD.severity AS s, substr(OLD.due_at, 1, 10) AS d, CASE WHEN OLD.resolved_at IS NULL THEN -1 ELSE 0 END AS n
        UNION ALL
        SELECT NEW.organization_id, NEW.severity, substr(NEW.due_at, 1, 10), CASE WHEN NEW.resolved_at IS NULL THEN 1 ELSE 0 END) v
    GROUP BY v.o, v.s, v.d HAVING sum(v.n) <> 0;
    INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
    SELECT i.o, i.k, i.d, sum(i.n) FROM (
        SELECT OLD.organization_id AS o, v.k AS k, substr(v.t, 1, 10) AS d, -1 AS n FROM (
            SELECT 0 AS k, OLD.detected_at AS t UNION ALL SELECT 1, OLD.resolved_at
            UNION ALL SELECT 2, CASE WHEN OLD.sla_outcome = 'within' THEN OLD.resolved_at END
            UNION ALL SELECT 3, max(OLD.due_at, OLD.detected_at)
            UNION ALL SELECT 4, CASE WHEN OLD.resolved_at IS NOT NULL THEN max(OLD.resolved_at, OLD.due_at) END) v
        WHERE v.t IS NOT NULL
        UNION ALL
        SELECT NEW.organization_id AS o, v.k AS k, substr(v.t, 1, 10) AS d, 1 AS n FROM (
            SELECT 0 AS k, NEW.detected_at AS t UNION ALL SELECT 1, NEW.resolved_at
            UNION ALL SELECT 2, CASE WHEN NEW.sla_outcome = 'within' THEN NEW.resolved_at END
            UNION ALL SELECT 3, max(NEW.due_at, NEW.detected_at)
            UNION ALL SELECT 4, CASE WHEN NEW.resolved_at IS NOT NULL THEN max(NEW.resolved_at, NEW.due_at) END) v
        WHERE v.t IS NOT NULL) i
    GROUP BY i.o, i.k, i.d HAVING sum(i.n) <> 0;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sites_count_insert AFTER INSERT ON sites
    WHEN NOT EXISTS (SELECT 1 FROM counters_paused) AND NOT NEW.is_deleted BEGIN
    INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
    VALUES (NEW.organization_id, 1, NEW.updates_available, CASE WHEN NEW.security_updates > 0 THEN 1 ELSE 0 END);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sites_count_delete AFTER DELETE ON sites
    WHEN NOT EXISTS (SELECT 1 FROM counters_paused) AND NOT OLD.is_deleted BEGIN
    INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
    VALUES (OLD.organization_id, -1, -OLD.updates_available, CASE WHEN OLD.security_updates > 0 THEN -1 ELSE 0 END);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sites_count_update AFTER UPDATE OF organization_id, is_deleted, updates_available, security_updates ON sites
    WHEN NOT EXISTS (SELECT 1 FROM counters_paused) BEGIN
    INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
    SELECT v.o, sum(v.s), sum(v.u), sum(v.w) FROM (
        SELECT OLD.organization_id AS o, -1 AS s, -OLD.updates_available AS u, CASE WHEN OLD.security_updates > 0 THEN -1 ELSE 0 END AS w
        WHERE NOT OLD.is_deleted
        UNION ALL
        SELECT NEW.organization_id, 1, NEW.updates_available, CASE WHEN NEW.security_updates > 0 THEN 1 ELSE 0 END
        WHERE NOT NEW.is_deleted) v
    GROUP BY v.o HAVING sum(v.s) <> 0 OR sum(v.u) <> 0 OR sum(v.w) <> 0;
END;
-- +goose StatementEnd
