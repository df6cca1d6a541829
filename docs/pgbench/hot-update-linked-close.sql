\set s random(1, 200)
BEGIN;
UPDATE hc SET valid_to = now() WHERE id IN (SELECT history_id FROM sm2 WHERE site_id = :s);
WITH n AS (INSERT INTO hc (site_id, module_id, version, status, valid_from) SELECT :s, m, 'v' || m, 'current', now() FROM generate_series(1,175) m RETURNING id, module_id)
UPDATE sm2 SET history_id = n.id, current_version_id = current_version_id + 1, datestamp = datestamp + 1, status = 'not_current', update_available = true,
  latest_version = '1.2.4', reasons = '["newer"]'::jsonb, analyzed_at = now(), updated_at = now() FROM n WHERE sm2.site_id = :s AND sm2.module_id = n.module_id;
COMMIT;
