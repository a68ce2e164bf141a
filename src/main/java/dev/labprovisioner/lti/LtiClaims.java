package dev.labprovisioner.lti;

/** The LTI 1.3 claim names and values this tool reads and writes (LTI Core 1.3, Deep Linking 2.0, AGS 2.0, NRPS 2.0): one place. */
public final class LtiClaims {

    public static final String MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type";
    public static final String VERSION = "https://purl.imsglobal.org/spec/lti/claim/version";
    public static final String DEPLOYMENT_ID = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
    public static final String TARGET_LINK_URI = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri";
    public static final String RESOURCE_LINK = "https://purl.imsglobal.org/spec/lti/claim/resource_link";
    public static final String ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles";
    public static final String CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context";
    public static final String CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom";
    public static final String AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
    public static final String NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";
    public static final String DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings";
    public static final String DL_CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items";
    public static final String DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data";
    public static final String DL_MESSAGE = "https://purl.imsglobal.org/spec/lti-dl/claim/msg";

    public static final String LTI_VERSION = "1.3.0";
    public static final String RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest";
    public static final String DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest";
    public static final String DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse";

    /** The custom parameter (and deep-linked resource's custom parameter) naming the lab template. */
    public static final String CUSTOM_TEMPLATE = "template";

    public static final String ROLE_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor";
    public static final String ROLE_ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Administrator";
    public static final String ROLE_INSTITUTION_ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator";
    public static final String ROLE_SYSTEM_ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator";
    public static final String ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

    private LtiClaims() {
    }
}
