-- LTI courses (issue 11): what the platform last said of a context's services, written by EVERY valid launch from it
-- (a learner's, an instructor's, a deep-linking request's), so that the roster can be read once the instructor has
-- opened the tool, before any learner has. lti_launch keeps a learner's own lab link; this is the course's.
CREATE TABLE lti_contexts (
    registration_id      UUID         NOT NULL REFERENCES lti_registrations (id) ON DELETE CASCADE,
    context_id           VARCHAR(255) NOT NULL,
    -- NRPS: the context's memberships URL (the roster). Kept when a later launch does not carry the claim.
    nrps_memberships_url TEXT,
    -- AGS: the context's line items container and the scopes granted, space-separated: both from the last launch that
    -- carried the AGS claim (a claim without 'lineitems' means the tool may not use the container: null).
    ags_lineitems        TEXT,
    ags_scopes           TEXT,
    -- The lab template the last resource-link launch opened (the registration's, or its custom 'template'); null until
    -- one has (a deep-linking request names none).
    template             VARCHAR(64),
    updated_at           TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (registration_id, context_id)
);

-- What learners' launches recorded before this table existed: the newest of each context, as the roster used to read it.
INSERT INTO lti_contexts (registration_id, context_id, nrps_memberships_url, ags_lineitems, ags_scopes, template, updated_at)
SELECT DISTINCT ON (registration_id, context_id) registration_id, context_id, nrps_memberships_url, ags_lineitems, ags_scopes,
       template, updated_at
FROM lti_launch
WHERE context_id <> ''
ORDER BY registration_id, context_id, (nrps_memberships_url IS NULL), updated_at DESC, id DESC;
