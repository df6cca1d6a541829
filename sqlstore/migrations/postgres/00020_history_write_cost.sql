-- Two costs of each history row a changed inventory writes.
--
-- site_module_history no longer declares its reference to sites. Each row
-- inserted ran a referential check: a query (through SPI) that finds and
-- key-share locks the site's row, about an eighth of PostgreSQL's CPU in a
-- run of fully changed inventories. Every writer of history already holds
-- that row (FOR NO KEY UPDATE) and takes the site id from it or from rows
-- that hold it, and sites are never deleted (is_deleted), so the reference
-- holds by construction, as the catalog references have since 00018.
-- site_modules, audit_logs and the other tables keep theirs: they check it
-- once per new row, not once per change. SQLite keeps every reference
-- (its single writer checks one with an index lookup).
--
-- A history row is written once and ended once (valid_to, a column no
-- index holds); only a feed change's split also moves an open row's start. Half of each page is now kept free for those ends
-- (fillfactor 50, 90 since 00019), so that an interval ends on its own
-- page, without a new entry in the history's indexes (a HOT update): in
-- the changed run 91 % of the ends were, against 15 % with 90. The price
-- is space: new history pages hold half as many rows. It applies to the
-- pages written from now on.

-- +goose Up
ALTER TABLE site_module_history DROP CONSTRAINT site_module_history_site_id_fkey;
ALTER TABLE site_module_history SET (fillfactor = 50);
