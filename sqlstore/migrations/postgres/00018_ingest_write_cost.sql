-- Two costs of the ingest path that bought nothing.
--
-- The references of site_modules and site_module_history to the catalog
-- (modules, module_versions) are dropped. Every row a changed inventory
-- writes ran a referential check that takes a KEY SHARE lock on its catalog
-- row; the catalog rows are the ones every site shares, so concurrent
-- workers turned those locks into multixacts on the same few hundred rows.
-- Catalog rows are never deleted or renumbered, and the ingest writes only
-- ids it read or inserted in the same or an earlier transaction. The
-- references to sites stay (a site's own row, locked by the writer anyway).
--
-- The raw payloads of audit_logs are compressed with lz4 instead of pglz
-- where the server has it (PostgreSQL 14 and later, built with lz4, as
-- Debian's and the official images are): about six times less CPU per push
-- for a few more bytes. And they are always stored out of line (TOAST):
-- a worker updates each row twice (claimed, processed), and each update
-- wrote a new copy of the row with the payload in it whenever the
-- compressed payload was small enough to stay inline. Both apply to the
-- payloads stored from now on.

-- +goose Up
ALTER TABLE site_module_history DROP CONSTRAINT site_module_history_module_id_fkey;
ALTER TABLE site_modules DROP CONSTRAINT site_modules_module_id_fkey;
ALTER TABLE site_modules DROP CONSTRAINT site_modules_current_version_id_fkey;
ALTER TABLE audit_logs SET (toast_tuple_target = 128);
-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE 'ALTER TABLE audit_logs ALTER COLUMN data SET COMPRESSION lz4';
EXCEPTION WHEN feature_not_supported OR syntax_error THEN
    RAISE NOTICE 'lz4 is not available; audit_logs payloads stay compressed with pglz';
END $$;
-- +goose StatementEnd
