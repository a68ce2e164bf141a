-- API clients: an LMS or an instructor tool. Only a SHA-256 of the secret is kept: secrets are
-- 256-bit random values, so a fast hash is safe and keeps every request cheap.
CREATE TABLE api_clients (
    id          UUID PRIMARY KEY,
    name        VARCHAR(100) NOT NULL,
    scopes      VARCHAR(200) NOT NULL,
    secret_hash CHAR(64)     NOT NULL UNIQUE,
    created_at  TIMESTAMPTZ  NOT NULL,
    created_by  VARCHAR(100) NOT NULL,
    revoked_at  TIMESTAMPTZ
);

-- One row per lab, kept after teardown as history. The reconciler leases rows (lease_owner,
-- lease_until) so that any number of replicas can work the table; version is the optimistic lock.
CREATE TABLE labs (
    id                      UUID PRIMARY KEY,
    namespace               VARCHAR(63)  NOT NULL UNIQUE,
    owner                   VARCHAR(64)  NOT NULL,
    learner_id              VARCHAR(128) NOT NULL,
    course_id               VARCHAR(128) NOT NULL DEFAULT '',
    template                VARCHAR(64)  NOT NULL,
    template_version        INT          NOT NULL,
    state                   VARCHAR(16)  NOT NULL,
    failure_reason          TEXT,
    created_at              TIMESTAMPTZ  NOT NULL,
    updated_at              TIMESTAMPTZ  NOT NULL,
    provisioning_started_at TIMESTAMPTZ,
    objects_applied_at      TIMESTAMPTZ,
    ready_at                TIMESTAMPTZ,
    expires_at              TIMESTAMPTZ  NOT NULL,
    teardown_requested_at   TIMESTAMPTZ,
    deleted_at              TIMESTAMPTZ,
    attempts                INT          NOT NULL DEFAULT 0,
    next_attempt_at         TIMESTAMPTZ  NOT NULL,
    lease_owner             VARCHAR(64),
    lease_until             TIMESTAMPTZ,
    version                 BIGINT       NOT NULL DEFAULT 0
);

-- At most one live lab per (client, learner, course, template): concurrent creates meet here.
CREATE UNIQUE INDEX labs_live_natural_key ON labs (owner, learner_id, course_id, template)
    WHERE state IN ('REQUESTED', 'PROVISIONING', 'READY');
CREATE INDEX labs_work_queue ON labs (next_attempt_at) WHERE state IN ('REQUESTED', 'PROVISIONING', 'TEARING_DOWN');
CREATE INDEX labs_expiry ON labs (expires_at) WHERE state IN ('REQUESTED', 'PROVISIONING', 'READY', 'FAILED');
CREATE INDEX labs_owner_created ON labs (owner, created_at DESC);
CREATE INDEX labs_course ON labs (course_id, created_at DESC);

-- Every state change with its time and cause: the history an instructor reads.
CREATE TABLE lab_events (
    id         BIGSERIAL PRIMARY KEY,
    lab_id     UUID        NOT NULL REFERENCES labs (id),
    at         TIMESTAMPTZ NOT NULL,
    from_state VARCHAR(16),
    to_state   VARCHAR(16) NOT NULL,
    cause      TEXT        NOT NULL
);
CREATE INDEX lab_events_lab ON lab_events (lab_id, id);

-- Idempotency-Key header values, per client, with a fingerprint of the request they were first used for.
CREATE TABLE idempotency_keys (
    owner               VARCHAR(64)  NOT NULL,
    idempotency_key     VARCHAR(200) NOT NULL,
    lab_id              UUID         NOT NULL REFERENCES labs (id),
    request_fingerprint CHAR(64)     NOT NULL,
    created_at          TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (owner, idempotency_key)
);
