-- When a delivery was last queued (written, or asked for again by a redeliver): the age of the oldest undelivered event
-- (labs_outbox_oldest_pending_age_seconds) counts from it, so an old event redelivered on request is not a backlog.
ALTER TABLE outbox_deliveries ADD COLUMN queued_at TIMESTAMPTZ;
UPDATE outbox_deliveries SET queued_at = created_at;
ALTER TABLE outbox_deliveries ALTER COLUMN queued_at SET NOT NULL;
CREATE INDEX outbox_deliveries_pending_queued ON outbox_deliveries (queued_at) WHERE state = 'PENDING';
