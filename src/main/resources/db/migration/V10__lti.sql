-- LTI 1.3 (DESIGN §9, issue 11): the platforms (LMSs) registered with this tool, the tool's own signing keys, the OIDC
-- login's one-use state, the nonces already seen, and the lab link each launch made.

-- A platform registration: who may launch us (issuer, client id, deployments) and where its endpoints are.
CREATE TABLE lti_registrations (
    id               UUID         PRIMARY KEY,
    name             VARCHAR(100) NOT NULL,
    issuer           VARCHAR(500) NOT NULL,
    client_id        VARCHAR(255) NOT NULL,
    -- The deployment ids allowed, space-separated (an id holds no spaces in any LMS we know; the API refuses one that does).
    deployment_ids   TEXT         NOT NULL,
    auth_login_url   TEXT         NOT NULL,
    access_token_url TEXT         NOT NULL,
    jwks_url         TEXT         NOT NULL,
    -- The lab a plain launch opens.
    template         VARCHAR(64)  NOT NULL,
    created_at       TIMESTAMPTZ  NOT NULL,
    UNIQUE (issuer, client_id)
);

-- The tool's RSA key pairs (RS256). The current one has no retired_at; a retired one stays published in /lti/jwks until
-- publish_until. The private key is AES-256-GCM-encrypted under a key derived from labs.lti.key-encryption-key.
CREATE TABLE lti_tool_keys (
    kid                   VARCHAR(64) PRIMARY KEY,
    public_jwk            TEXT        NOT NULL,
    private_key_encrypted TEXT        NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    retired_at            TIMESTAMPTZ,
    publish_until         TIMESTAMPTZ
);
CREATE UNIQUE INDEX lti_tool_keys_one_current ON lti_tool_keys ((retired_at IS NULL)) WHERE retired_at IS NULL;

-- The OIDC login's state and nonce, kept here rather than in a cookie (third-party cookies are lost in LMS iframes):
-- the launch deletes its row (one use); rows past expires_at are refused and pruned.
CREATE TABLE lti_login_states (
    state           VARCHAR(64)  PRIMARY KEY,
    nonce           VARCHAR(64)  NOT NULL,
    registration_id UUID         NOT NULL REFERENCES lti_registrations (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ  NOT NULL,
    expires_at      TIMESTAMPTZ  NOT NULL
);
CREATE INDEX lti_login_states_expiry ON lti_login_states (expires_at);

-- Nonces of id_tokens already accepted, per registration, until the token could no longer be valid: a replay is refused.
CREATE TABLE lti_used_nonces (
    registration_id UUID         NOT NULL REFERENCES lti_registrations (id) ON DELETE CASCADE,
    nonce           VARCHAR(255) NOT NULL,
    expires_at      TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (registration_id, nonce)
);
CREATE INDEX lti_used_nonces_expiry ON lti_used_nonces (expires_at);

-- A deep-linking request between the catalog shown and the choice made: one use, expiring (no cookie either).
CREATE TABLE lti_deep_link_requests (
    id              VARCHAR(64)  PRIMARY KEY,
    registration_id UUID         NOT NULL REFERENCES lti_registrations (id) ON DELETE CASCADE,
    deployment_id   VARCHAR(255) NOT NULL,
    return_url      TEXT         NOT NULL,
    -- The request's opaque 'data', echoed back in the response.
    data            TEXT,
    created_at      TIMESTAMPTZ  NOT NULL,
    expires_at      TIMESTAMPTZ  NOT NULL
);
CREATE INDEX lti_deep_link_requests_expiry ON lti_deep_link_requests (expires_at);

-- One row per lab link: a learner (sub) of a context launched a template through a registration. Rewritten on every
-- launch with what the platform last said: the lab, the AGS endpoint (grades go there) and the NRPS URL (the roster).
CREATE TABLE lti_launch (
    id                   BIGSERIAL    PRIMARY KEY,
    registration_id      UUID         NOT NULL REFERENCES lti_registrations (id) ON DELETE CASCADE,
    sub                  VARCHAR(255) NOT NULL,
    -- '' when the launch had no context.
    context_id           VARCHAR(255) NOT NULL,
    template             VARCHAR(64)  NOT NULL,
    lab_id               UUID         NOT NULL REFERENCES labs (id),
    resource_link_id     VARCHAR(255),
    ags_lineitem         TEXT,
    ags_lineitems        TEXT,
    -- The AGS scopes the platform granted, space-separated.
    ags_scopes           TEXT,
    nrps_memberships_url TEXT,
    -- The launch's roles, space-separated.
    roles                TEXT,
    created_at           TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL,
    UNIQUE (registration_id, sub, context_id, template)
);
CREATE INDEX lti_launch_lab ON lti_launch (lab_id);
CREATE INDEX lti_launch_context ON lti_launch (registration_id, context_id);
