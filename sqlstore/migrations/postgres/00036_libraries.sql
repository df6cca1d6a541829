-- PHP libraries are modules of source 'packagist' and type 'library'
-- (composer name, version as the lock gives it), and the merged library
-- advisories (GitHub's OSV and FriendsOfPHP's) are kept so that a restart or
-- another replica judges with them before the next refresh. The Down fails
-- (check constraint) while libraries are stored.

-- +goose Up
ALTER TABLE modules DROP CONSTRAINT modules_type_check;
ALTER TABLE modules ADD CONSTRAINT modules_type_check CHECK (type IN ('core', 'module', 'theme', 'profile', 'library'));
ALTER TABLE modules DROP CONSTRAINT modules_source_check;
ALTER TABLE modules ADD CONSTRAINT modules_source_check CHECK (source IN ('drupal.org', 'custom', 'packagist'));
CREATE TABLE library_advisories (
    advisory_id  TEXT        PRIMARY KEY,
    packages     JSONB       NOT NULL, -- ["vendor/package", ...]
    body         JSONB       NOT NULL, -- the merged advisory
    content_hash TEXT        NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE library_advisories;
ALTER TABLE modules DROP CONSTRAINT modules_type_check;
ALTER TABLE modules ADD CONSTRAINT modules_type_check CHECK (type IN ('core', 'module', 'theme', 'profile'));
ALTER TABLE modules DROP CONSTRAINT modules_source_check;
ALTER TABLE modules ADD CONSTRAINT modules_source_check CHECK (source IN ('drupal.org', 'custom'));
