-- What a changed inventory of 175 projects writes to site_modules and its
-- history, on copies of their schema with 200 sites (docs/performance.md,
-- "Sixth round"). Tables: sm (site_modules as before migration 00019: the
-- stale index on the times, fillfactor 100), sm2 (HOT-friendly: no index on
-- a column the update changes, fillfactor 50, history_id), h (history with
-- the open and end indexes), hc (history without them, fillfactor 80, closed
-- through sm2.history_id), he (history insert-only).
--
--   createdb pgb && psql -q -f setup.sql pgb
--   pgbench -n -c 2 -j 2 -T 15 -f as-before.sql pgb     (and the others)

CREATE TABLE sm (
    site_id BIGINT NOT NULL, module_id BIGINT NOT NULL, current_version_id BIGINT,
    update_available BOOLEAN NOT NULL DEFAULT FALSE, security_update BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL DEFAULT 'unknown', latest_version TEXT NOT NULL DEFAULT '', recommended_version TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
    security_updates JSONB NOT NULL DEFAULT '[]', severity TEXT, also_available JSONB NOT NULL DEFAULT '[]', reasons JSONB NOT NULL DEFAULT '[]',
    analyzed_at TIMESTAMPTZ, datestamp BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (site_id, module_id));
CREATE INDEX sm_ms ON sm (module_id, site_id);
CREATE INDEX sm_sec ON sm (site_id) WHERE security_update;
CREATE INDEX sm_stale ON sm (site_id) WHERE analyzed_at IS NULL OR updated_at <> analyzed_at;
INSERT INTO sm (site_id, module_id, current_version_id, status, latest_version, recommended_version, created_at, updated_at, analyzed_at, reasons)
SELECT s, m, m*10, 'current', '1.2.3', '1.2.3', now(), now(), now(), '["x is current"]' FROM generate_series(1,200) s, generate_series(1,175) m;
CREATE TABLE sm2 (LIKE sm INCLUDING DEFAULTS) WITH (fillfactor = 50);
ALTER TABLE sm2 ADD PRIMARY KEY (site_id, module_id);
CREATE INDEX sm2_ms ON sm2 (module_id, site_id);
CREATE INDEX sm2_sec ON sm2 (site_id) WHERE security_update;
INSERT INTO sm2 SELECT * FROM sm;
CREATE TABLE h (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, site_id BIGINT NOT NULL, module_id BIGINT NOT NULL, version TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'unknown', valid_from TIMESTAMPTZ NOT NULL, valid_to TIMESTAMPTZ, datestamp BIGINT NOT NULL DEFAULT 0);
CREATE INDEX h_site ON h (site_id, valid_from);
CREATE INDEX h_open ON h (site_id, module_id) WHERE valid_to IS NULL;
CREATE INDEX h_end ON h (site_id, valid_to) WHERE valid_to IS NOT NULL;
INSERT INTO h (site_id, module_id, version, status, valid_from) SELECT site_id, module_id, '1.0', 'current', now() FROM sm;
CREATE TABLE he (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, site_id BIGINT NOT NULL, module_id BIGINT NOT NULL, version TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'unknown', valid_from TIMESTAMPTZ NOT NULL, datestamp BIGINT NOT NULL DEFAULT 0);
CREATE INDEX he_site ON he (site_id, module_id, valid_from);
INSERT INTO he (site_id, module_id, version, status, valid_from) SELECT site_id, module_id, '1.0', 'current', now() FROM sm;
CREATE TABLE hc (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, site_id BIGINT NOT NULL, module_id BIGINT NOT NULL, version TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'unknown', valid_from TIMESTAMPTZ NOT NULL, valid_to TIMESTAMPTZ, datestamp BIGINT NOT NULL DEFAULT 0) WITH (fillfactor = 80);
CREATE INDEX hc_site ON hc (site_id, valid_from);
INSERT INTO hc (site_id, module_id, version, status, valid_from) SELECT site_id, module_id, '1.0', 'current', now() FROM sm;
ALTER TABLE sm2 ADD COLUMN history_id BIGINT;
UPDATE sm2 SET history_id = hc.id FROM hc WHERE hc.site_id = sm2.site_id AND hc.module_id = sm2.module_id AND hc.valid_to IS NULL;
VACUUM ANALYZE;
