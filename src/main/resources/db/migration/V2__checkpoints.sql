-- The timeline: pod, PVC and StatefulSet events of every lab namespace as the service's own informers saw
-- them, in the order seen (seq). Ordering checkpoints ("created in ordinal order") are judged from it: a
-- snapshot cannot tell. Times come from the service's clock, never from anything the learner can write.
CREATE TABLE lab_timeline (
    seq         BIGSERIAL    PRIMARY KEY,
    lab_id      UUID         NOT NULL,
    kind        VARCHAR(32)  NOT NULL,
    name        VARCHAR(253) NOT NULL,
    uid         VARCHAR(64)  NOT NULL,
    ordinal     INT,
    event       VARCHAR(16)  NOT NULL,
    at          TIMESTAMPTZ  NOT NULL,
    -- Pods: a digest of the containers' spec (what a rolling update changes). StatefulSets: replicas and
    -- pod management policy. PVCs: nothing.
    fingerprint VARCHAR(64),
    replicas    INT,
    policy      VARCHAR(16)
);
CREATE INDEX lab_timeline_by_lab ON lab_timeline (lab_id, seq);
-- An informer's re-list after a restart replays every object as added: keep the first sighting only.
CREATE UNIQUE INDEX lab_timeline_once ON lab_timeline (uid, event) WHERE event IN ('CREATED', 'DELETED');

-- The latest result of each checkpoint of a lab. A PASSED checkpoint stays PASSED.
CREATE TABLE checkpoint_results (
    lab_id            UUID        NOT NULL REFERENCES labs (id),
    checkpoint_id     VARCHAR(64) NOT NULL,
    status            VARCHAR(16) NOT NULL,
    attempts          INT         NOT NULL,
    passed_at         TIMESTAMPTZ,
    message           TEXT        NOT NULL,
    evidence          TEXT        NOT NULL,
    last_validated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (lab_id, checkpoint_id)
);

-- Every validation ever run, with what it saw: the history behind a result.
CREATE TABLE checkpoint_validations (
    id            BIGSERIAL   PRIMARY KEY,
    lab_id        UUID        NOT NULL REFERENCES labs (id),
    checkpoint_id VARCHAR(64) NOT NULL,
    at            TIMESTAMPTZ NOT NULL,
    passed        BOOLEAN     NOT NULL,
    acted         BOOLEAN     NOT NULL,
    message       TEXT        NOT NULL,
    evidence      TEXT        NOT NULL
);
CREATE INDEX checkpoint_validations_by_lab ON checkpoint_validations (lab_id, at);

-- What write-data saw: the learner's tables (row count and checksum each), the pod and the claims. The
-- retention checkpoints compare the lab database against it; it lives here, out of the learner's reach.
CREATE TABLE data_baselines (
    lab_id    UUID        PRIMARY KEY REFERENCES labs (id),
    taken_at  TIMESTAMPTZ NOT NULL,
    pod_name  VARCHAR(253) NOT NULL,
    pod_uid   VARCHAR(64) NOT NULL,
    claim_uids TEXT       NOT NULL,
    tables    TEXT        NOT NULL
);
