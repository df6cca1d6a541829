-- A notification that could not be sent at once was retried by the
-- process that claimed it, in memory: a restart or a crash lost it, left
-- "pending" (or, on a graceful stop, "failed") for good. A delivery now
-- keeps what it sends (body: the e-mail's text, or the webhook's JSON) and
-- when it is tried next (next_attempt_at). Its claimer owns it until then,
-- under a lease token it renews before each retry; once that time passes
-- without an attempt, any replica's notifier claims and sends it.

-- +goose Up
ALTER TABLE notification_deliveries ADD COLUMN body TEXT NOT NULL DEFAULT '';
ALTER TABLE notification_deliveries ADD COLUMN lease TEXT NOT NULL DEFAULT '';
ALTER TABLE notification_deliveries ADD COLUMN next_attempt_at TIMESTAMPTZ;
-- Pending rows of the old code have nothing to resend.
UPDATE notification_deliveries SET status = 'failed',
    last_error = 'interrupted by an upgrade before it was sent'
    WHERE status = 'pending';
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at) WHERE status = 'pending';
