-- lab.expiring (issue 12): the expiry each lab was warned about. One row per lab, claimed with INSERT ... ON CONFLICT in
-- the transaction that writes the event to the outbox, so two replicas never both send it; an extend that moves
-- expires_at makes the row stale, which re-arms the warning. Its own table, so that no write of the lab's row (whole-row
-- updates by the ORM) can undo it.
CREATE TABLE lab_expiry_warnings (
    lab_id     UUID        PRIMARY KEY REFERENCES labs (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    sent_at    TIMESTAMPTZ NOT NULL
);
