-- What instructors and admins did: client created or revoked, labs created for a roster, a course extended, a lab
-- forced down or reset. Written in the transaction of the action itself, so a row exists exactly when the action
-- took effect. No secret is ever written here (a client's secret exists only in the answer to its creation).
CREATE TABLE audit_log (
    id         BIGSERIAL    PRIMARY KEY,
    at         TIMESTAMPTZ  NOT NULL,
    -- The credential: an API client's id, or 'admin' for the bootstrap token (the owner key of Caller).
    actor      VARCHAR(64)  NOT NULL,
    -- Its name when it acted, so that the log reads without a join (clients are never renamed or deleted).
    actor_name VARCHAR(100) NOT NULL,
    action     VARCHAR(32)  NOT NULL,
    -- What it acted on: a client id, a course id or a lab id.
    target     VARCHAR(128) NOT NULL,
    detail     TEXT         NOT NULL
);
CREATE INDEX audit_log_target ON audit_log (target, id DESC);
