-- See PostgreSQL's 00021: a delivery keeps what it sends and when it is
-- tried next, so that a retry outlives the process that claimed it.

-- +goose Up
ALTER TABLE notification_deliveries ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE notification_deliveries ADD COLUMN lease TEXT NOT NULL DEFAULT '';
ALTER TABLE notification_deliveries ADD COLUMN next_attempt_at DATETIME;
-- Pending rows of the old code have nothing to resend.
UPDATE notification_deliveries SET status = 'failed',
    last_error = 'interrupted by an upgrade before it was sent'
    WHERE status = 'pending';
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at) WHERE status = 'pending';
