-- site_module_history no longer declares its reference to sites. A changed
-- inventory inserts one history row per project it changes, and each ran a
-- referential check: a query (through SPI) that finds and key-share locks
-- the site's row, about a tenth of PostgreSQL's CPU in a run of fully
-- changed inventories. Every writer of history already holds that row
-- (FOR NO KEY UPDATE) and takes the site id from it or from site_modules,
-- and sites are never deleted (is_deleted), so the reference holds by
-- construction, as the catalog references have since 00018. site_modules,
-- audit_logs and the other tables keep theirs: they check it once per new
-- row, not once per change. SQLite keeps every reference (DESIGN §2).

-- +goose Up
ALTER TABLE site_module_history DROP CONSTRAINT site_module_history_site_id_fkey;

