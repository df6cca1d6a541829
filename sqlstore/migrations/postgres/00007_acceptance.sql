-- Risk acceptance: an org admin accepts an open exposure until a date, with a
-- justification; the SLA clock pauses meanwhile (the exposure's due date
-- moves by due_shift_seconds, moved back by what is left if revoked early).

-- +goose Up
CREATE TABLE exposure_acceptances (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    uuid              TEXT        NOT NULL UNIQUE,
    exposure_id       BIGINT      NOT NULL REFERENCES exposures (id),
    justification     TEXT        NOT NULL,
    accepted_at       TIMESTAMPTZ NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    accepted_by       BIGINT REFERENCES users (id),
    due_shift_seconds BIGINT      NOT NULL DEFAULT 0,
    revoked_at        TIMESTAMPTZ,
    revoked_by        BIGINT REFERENCES users (id),
    CHECK (expires_at > accepted_at)
);
CREATE INDEX exposure_acceptances_exposure_idx ON exposure_acceptances (exposure_id, expires_at);
