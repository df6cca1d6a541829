-- Daily rollups of the outstanding non-security updates per organization,
-- kept by a scheduled job from site_module_history, so that a trend over a
-- year reads 365 rows instead of scanning millions of history intervals.
-- lag_histogram counts the outdated (site, project) pairs by whole days
-- outstanding (index = days, the last bucket holds the rest), so medians can
-- be merged across organizations exactly at day granularity.

-- +goose Up
CREATE TABLE report_daily (
    organization_id BIGINT      NOT NULL REFERENCES organizations (id),
    day             TEXT        NOT NULL, -- YYYY-MM-DD, UTC
    outdated        INTEGER     NOT NULL,
    lag_histogram   TEXT        NOT NULL, -- JSON array of counts
    computed_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (organization_id, day)
);
