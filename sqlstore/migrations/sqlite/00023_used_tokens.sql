-- Single-use tokens that were used: an mfa_token is spent once it opened a
-- session. A row lives until the token would have expired anyway; then
-- UseToken prunes it.

-- +goose Up
CREATE TABLE used_tokens (
    id         TEXT        PRIMARY KEY, -- the token's id (JWT jti)
    expires_at DATETIME    NOT NULL
);
CREATE INDEX used_tokens_expires_at_idx ON used_tokens (expires_at);
