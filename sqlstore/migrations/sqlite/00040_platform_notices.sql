-- The end-of-life milestones of the platforms (PHP, Drupal core) a site
-- runs that were announced: one row per (site, product, cycle, milestone),
-- so that each is announced once, whichever replica leads.

-- +goose Up
CREATE TABLE platform_notices (
    site_id INTEGER NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    product TEXT NOT NULL,
    cycle TEXT NOT NULL,
    milestone TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (site_id, product, cycle, milestone)
);

-- +goose Down
DROP TABLE platform_notices;
