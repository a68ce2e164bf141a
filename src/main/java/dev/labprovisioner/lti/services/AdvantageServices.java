package dev.labprovisioner.lti.services;

/** The LTI Advantage service scopes and media types this tool uses (AGS 2.0, NRPS 2.0): one place. */
public final class AdvantageServices {

    public static final String SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
    public static final String SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
    public static final String SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
    public static final String SCOPE_MEMBERSHIPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

    public static final String SCORE = "application/vnd.ims.lis.v1.score+json";
    public static final String LINEITEM = "application/vnd.ims.lis.v2.lineitem+json";
    public static final String LINEITEM_CONTAINER = "application/vnd.ims.lis.v2.lineitemcontainer+json";
    public static final String MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

    public static final String CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private AdvantageServices() {
    }
}
