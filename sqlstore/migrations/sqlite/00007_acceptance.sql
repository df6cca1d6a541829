-- Risk acceptance: an org admin accepts an open exposure until a date, with a
-- justification; the SLA clock pauses meanwhile (the exposure's due date
-- moves by due_shift_seconds, moved back by what is left if revoked early).

-- +goose Up
CREATE TABLE exposure_acceptances (
    id                INTEGER PRIMARY KEY,
    uuid              TEXT        NOT NULL UNIQUE,
    exposure_id       INTEGER      NOT NULL REFERENCES exposures (id),
    justification     TEXT        NOT NULL,
    accepted_at       DATETIME NOT NULL,
    expires_at        DATETIME NOT NULL,
    accepted_by       INTEGER REFERENCES users (id),
    due_shift_seconds INTEGER      NOT NULL DEFAULT 0,
    revoked_at        DATETIME,
    revoked_by        INTEGER REFERENCES users (id),
    CHECK (expires_at > accepted_at)
);
CREATE INDEX exposure_acceptances_exposure_idx ON exposure_acceptances (exposure_id, expires_at);
