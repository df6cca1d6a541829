-- A generation number of each site's module list, bumped by every
-- transaction that changes the site's site_modules (with the update
-- counters): a cached page of the list is served only while the number
-- read with the site is the one it was built from.

-- +goose Up
ALTER TABLE sites ADD COLUMN modules_generation BIGINT NOT NULL DEFAULT 0;
