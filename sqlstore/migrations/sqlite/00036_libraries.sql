-- PHP libraries are modules of source 'packagist' and type 'library'
-- (composer name, version as the lock gives it), and the merged library
-- advisories (GitHub's OSV and FriendsOfPHP's) are kept so that a restart or
-- another replica judges with them before the next refresh.
--
-- SQLite cannot alter a CHECK: modules is rebuilt with its rows and ids
-- (the tables that reference it keep their references). Foreign keys are
-- off while it is, which a transaction cannot switch: this migration runs
-- outside goose's transaction and opens its own, on the single writer
-- connection. The Down fails (CHECK constraint) while libraries are stored.

-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE modules_new (
    id          INTEGER PRIMARY KEY,
    module_name TEXT     NOT NULL UNIQUE,
    drupal_link TEXT     NOT NULL DEFAULT '',
    type        TEXT     NOT NULL DEFAULT 'module' CHECK (type IN ('core', 'module', 'theme', 'profile', 'library')),
    source      TEXT     NOT NULL DEFAULT 'drupal.org' CHECK (source IN ('drupal.org', 'custom', 'packagist')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
INSERT INTO modules_new (id, module_name, drupal_link, type, source, created_at, updated_at)
    SELECT id, module_name, drupal_link, type, source, created_at, updated_at FROM modules;
DROP TABLE modules;
ALTER TABLE modules_new RENAME TO modules;
CREATE TABLE library_advisories (
    advisory_id  TEXT     PRIMARY KEY,
    packages     TEXT     NOT NULL CHECK (json_valid(packages)), -- ["vendor/package", ...]
    body         TEXT     NOT NULL CHECK (json_valid(body)),     -- the merged advisory
    content_hash TEXT     NOT NULL,
    updated_at   DATETIME NOT NULL
);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE library_advisories;
CREATE TABLE modules_old (
    id          INTEGER PRIMARY KEY,
    module_name TEXT     NOT NULL UNIQUE,
    drupal_link TEXT     NOT NULL DEFAULT '',
    type        TEXT     NOT NULL DEFAULT 'module' CHECK (type IN ('core', 'module', 'theme', 'profile')),
    source      TEXT     NOT NULL DEFAULT 'drupal.org' CHECK (source IN ('drupal.org', 'custom')),
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
INSERT INTO modules_old (id, module_name, drupal_link, type, source, created_at, updated_at)
    SELECT id, module_name, drupal_link, type, source, created_at, updated_at FROM modules;
DROP TABLE modules;
ALTER TABLE modules_old RENAME TO modules;
COMMIT;
PRAGMA foreign_keys = ON;
