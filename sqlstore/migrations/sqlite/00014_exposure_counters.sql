-- Counters of the exposures kept by the database itself (see the
-- PostgreSQL migration 00014 for what they count and how they are read).
-- Days are the first ten characters of the UTC times, as written.

-- +goose Up
CREATE TABLE exposure_open_deltas (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    severity        TEXT    NOT NULL,
    due_day         TEXT    NOT NULL,
    n               INTEGER NOT NULL
);
CREATE INDEX exposure_open_deltas_org_idx ON exposure_open_deltas (organization_id, due_day, severity, n);

CREATE TABLE exposure_instant_deltas (
    id              INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    kind            INTEGER NOT NULL,
    day             TEXT    NOT NULL,
    n               INTEGER NOT NULL
);
CREATE INDEX exposure_instant_deltas_org_idx ON exposure_instant_deltas (organization_id, day, kind, n);

-- +goose StatementBegin
CREATE TRIGGER exposures_count_insert AFTER INSERT ON exposures BEGIN
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
CREATE TRIGGER exposures_count_delete AFTER DELETE ON exposures BEGIN
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
CREATE TRIGGER exposures_count_update AFTER UPDATE OF organization_id, severity, detected_at, due_at, resolved_at, sla_outcome ON exposures BEGIN
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

INSERT INTO exposure_open_deltas (organization_id, severity, due_day, n)
SELECT organization_id, severity, substr(due_at, 1, 10), count(*) FROM exposures WHERE resolved_at IS NULL GROUP BY 1, 2, 3;
INSERT INTO exposure_instant_deltas (organization_id, kind, day, n)
SELECT i.o, i.k, i.d, count(*) FROM (
    SELECT organization_id AS o, 0 AS k, substr(detected_at, 1, 10) AS d FROM exposures
    UNION ALL SELECT organization_id, 1, substr(resolved_at, 1, 10) FROM exposures WHERE resolved_at IS NOT NULL
    UNION ALL SELECT organization_id, 2, substr(resolved_at, 1, 10) FROM exposures WHERE sla_outcome = 'within'
    UNION ALL SELECT organization_id, 3, substr(max(due_at, detected_at), 1, 10) FROM exposures
    UNION ALL SELECT organization_id, 4, substr(max(resolved_at, due_at), 1, 10) FROM exposures WHERE resolved_at IS NOT NULL
) i GROUP BY 1, 2, 3;
-- Today's figures are computed live: the exposures detected today.
CREATE INDEX exposures_detected_at_idx ON exposures (detected_at);

-- The summary's site figures (see the PostgreSQL migration).
CREATE TABLE site_count_deltas (
    id                INTEGER PRIMARY KEY,
    organization_id   INTEGER NOT NULL,
    sites             INTEGER NOT NULL,
    updates_available INTEGER NOT NULL,
    with_security     INTEGER NOT NULL
);
CREATE INDEX site_count_deltas_org_idx ON site_count_deltas (organization_id, sites, updates_available, with_security);

-- +goose StatementBegin
CREATE TRIGGER sites_count_insert AFTER INSERT ON sites WHEN NOT NEW.is_deleted BEGIN
    INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
    VALUES (NEW.organization_id, 1, NEW.updates_available, CASE WHEN NEW.security_updates > 0 THEN 1 ELSE 0 END);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sites_count_delete AFTER DELETE ON sites WHEN NOT OLD.is_deleted BEGIN
    INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
    VALUES (OLD.organization_id, -1, -OLD.updates_available, CASE WHEN OLD.security_updates > 0 THEN -1 ELSE 0 END);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sites_count_update AFTER UPDATE OF organization_id, is_deleted, updates_available, security_updates ON sites BEGIN
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

INSERT INTO site_count_deltas (organization_id, sites, updates_available, with_security)
SELECT organization_id, count(*), sum(updates_available), sum(CASE WHEN security_updates > 0 THEN 1 ELSE 0 END)
FROM sites WHERE NOT is_deleted GROUP BY organization_id;

DROP INDEX sites_last_seen_at_idx;
CREATE INDEX sites_last_seen_at_idx ON sites (last_seen_at, organization_id, is_active) WHERE NOT is_deleted;
