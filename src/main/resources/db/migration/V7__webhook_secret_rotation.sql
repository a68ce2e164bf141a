-- Secret rotation (issue 12): after POST /webhooks/{id}/rotate-secret the previous secret still signs, next to the new
-- one (two space-separated signatures, as Standard Webhooks allows), until previous_secret_until.
ALTER TABLE webhook_subscriptions ADD COLUMN previous_secret_encrypted TEXT;
ALTER TABLE webhook_subscriptions ADD COLUMN previous_secret_until TIMESTAMPTZ;
