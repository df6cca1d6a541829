-- PostgreSQL's 00018 drops the references of site_modules and
-- site_module_history to the catalog and compresses payloads with lz4.
-- SQLite checks a reference with one index lookup and takes no row locks,
-- and does not compress: nothing to change. The migration exists so that
-- both databases count the same versions.

-- +goose Up
SELECT 1;
