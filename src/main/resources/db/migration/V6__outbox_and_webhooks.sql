-- The transactional outbox (issue 12): an event is written in the transaction of the change it reports, with one
-- delivery row per destination, so a change that committed is always announced and a rolled-back one never is.
-- Generic on purpose: webhooks are its first channel; LTI grade passback (issue 11) is meant to be the next.
CREATE TABLE outbox_events (
    id           BIGSERIAL    PRIMARY KEY,
    -- What receivers deduplicate by (for webhooks: the webhook-id header), the same on every attempt.
    message_id   VARCHAR(64)  NOT NULL UNIQUE,
    type         VARCHAR(64)  NOT NULL,
    -- Events with the same key (a lab's id) are appended one transaction at a time, so ids follow commit order.
    ordering_key VARCHAR(128) NOT NULL,
    -- The exact bytes every attempt sends (a webhook's signature covers them).
    body         TEXT         NOT NULL,
    created_at   TIMESTAMPTZ  NOT NULL
);

CREATE TABLE outbox_deliveries (
    id              BIGSERIAL    PRIMARY KEY,
    event_id        BIGINT       NOT NULL REFERENCES outbox_events (id),
    -- Who sends it ('webhook') and to what (a subscription's id).
    channel         VARCHAR(32)  NOT NULL,
    destination     VARCHAR(128) NOT NULL,
    -- channel:destination:event ordering key. While one delivery of a key is PENDING, later ones of the key wait.
    ordering_key    VARCHAR(300) NOT NULL,
    -- PENDING, DELIVERED or FAILED (gave up, or the destination went away).
    state           VARCHAR(16)  NOT NULL,
    -- Attempts since it was (re)queued: the position in the retry schedule.
    attempts        INT          NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ  NOT NULL,
    -- Row lease of the replica sending it now (database clock), like the labs' leases.
    lease_owner     VARCHAR(128),
    lease_until     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ  NOT NULL,
    delivered_at    TIMESTAMPTZ,
    last_error      TEXT
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (next_attempt_at) WHERE state = 'PENDING';
CREATE INDEX outbox_deliveries_pending_order ON outbox_deliveries (ordering_key, id) WHERE state = 'PENDING';
CREATE INDEX outbox_deliveries_destination ON outbox_deliveries (channel, destination, id DESC);

-- Every attempt, as the destination answered it (or why there was no answer).
CREATE TABLE outbox_attempts (
    id          BIGSERIAL   PRIMARY KEY,
    delivery_id BIGINT      NOT NULL REFERENCES outbox_deliveries (id) ON DELETE CASCADE,
    at          TIMESTAMPTZ NOT NULL,
    status      INT,
    latency_ms  INT         NOT NULL,
    -- The first bytes of the answer's body.
    response    TEXT,
    error       TEXT
);
CREATE INDEX outbox_attempts_delivery ON outbox_attempts (delivery_id, id);

-- An API client's webhook endpoints (DESIGN §10). The signing secret is kept encrypted (AES-GCM, key derived from
-- labs.learner.signing-key): it must be used to sign, so it cannot be hashed.
CREATE TABLE webhook_subscriptions (
    id               UUID         PRIMARY KEY,
    owner            VARCHAR(64)  NOT NULL,
    url              TEXT         NOT NULL,
    -- The event types it receives, space-separated.
    events           TEXT         NOT NULL,
    secret_encrypted TEXT         NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    disabled_at      TIMESTAMPTZ,
    disabled_reason  TEXT
);
CREATE INDEX webhook_subscriptions_owner ON webhook_subscriptions (owner, created_at);
