-- LTI Assignment and Grade Services (issue 11): the line item a tool found or made in a context's line items container,
-- when the launch gave that container but no line item of its own. One per (registration, context, template), so that
-- every learner's score of a lab goes to one gradebook column, made once.
CREATE TABLE lti_line_items (
    registration_id UUID        NOT NULL REFERENCES lti_registrations (id) ON DELETE CASCADE,
    context_id      VARCHAR(255) NOT NULL,
    template        VARCHAR(64)  NOT NULL,
    -- The container it was found in or made in (the launch's lineitems URL).
    lineitems_url   TEXT         NOT NULL,
    lineitem_url    TEXT         NOT NULL,
    -- Whether this tool made it (POST) rather than found it (GET ?resource_id=).
    created_by_tool BOOLEAN      NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (registration_id, context_id, template)
);
