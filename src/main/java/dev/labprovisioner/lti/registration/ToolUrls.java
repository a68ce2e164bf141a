package dev.labprovisioner.lti.registration;

import dev.labprovisioner.config.LabsConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** This tool's LTI URLs on {@code labs.public-base-url}: what an administrator pastes into the LMS. */
@ApplicationScoped
public class ToolUrls {

    public static final String LOGIN = "/lti/login";
    public static final String LAUNCH = "/lti/launch";
    public static final String JWKS = "/lti/jwks";
    public static final String DEEP_LINK = "/lti/deep-link";

    private final String base;

    ToolUrls(LabsConfig config) {
        String url = config.publicBaseUrl();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    public String login() {
        return base + LOGIN;
    }

    /** The OIDC redirect_uri of every launch, and a resource link's target. */
    public String launch() {
        return base + LAUNCH;
    }

    public String jwks() {
        return base + JWKS;
    }

    /** The deep-linking (content selection) target: launches like {@link #launch()}, for LMSs that want a URL of its own. */
    public String deepLink() {
        return base + DEEP_LINK;
    }

    public String base() {
        return base;
    }
}
