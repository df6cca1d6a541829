\set s random(1, 200)
BEGIN;
UPDATE sm2 SET current_version_id = current_version_id + 1, datestamp = datestamp + 1, status = 'not_current', update_available = true,
  latest_version = '1.2.4', reasons = '["newer"]'::jsonb, analyzed_at = now(), updated_at = now() WHERE site_id = :s;
INSERT INTO he (site_id, module_id, version, status, valid_from) SELECT :s, m, 'v' || m, 'current', now() FROM generate_series(1,175) m;
COMMIT;
