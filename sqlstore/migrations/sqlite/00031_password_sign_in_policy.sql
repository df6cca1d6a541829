-- Organizations whose users must sign in through an identity provider:
-- their local passwords are refused. No row: passwords are allowed.

-- +goose Up
CREATE TABLE organization_sign_in_policies (
    organization_id         INTEGER PRIMARY KEY REFERENCES organizations (id),
    password_sign_in_disabled BOOLEAN NOT NULL DEFAULT FALSE CHECK (password_sign_in_disabled IN (0, 1)),
    updated_at              DATETIME NOT NULL,
    updated_by              INTEGER REFERENCES users (id)
);

-- +goose Down
DROP TABLE organization_sign_in_policies;
