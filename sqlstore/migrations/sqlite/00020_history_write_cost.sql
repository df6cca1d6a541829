-- PostgreSQL's 00020 drops site_module_history's reference to sites, whose
-- check cost a query per history row written there, and keeps half of each
-- history page free for the update that ends its rows. SQLite checks a
-- reference with one index lookup and keeps every one, and has
-- no fillfactor: nothing to change. The migration exists so that both
-- databases count the same versions.

-- +goose Up
SELECT 1;
