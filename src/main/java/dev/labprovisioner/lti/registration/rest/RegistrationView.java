package dev.labprovisioner.lti.registration.rest;

import dev.labprovisioner.lti.registration.LtiRegistration;
import dev.labprovisioner.lti.registration.ToolUrls;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A platform registration, with the tool's URLs to paste into the LMS. */
public record RegistrationView(
        UUID id,
        String name,
        // Named explicitly: the build-time JSON writer otherwise also reads issuer() as a boolean "is" getter and writes "suer".
        @JsonProperty("issuer") String issuer,
        String clientId,
        List<String> deploymentIds,
        String authLoginUrl,
        String accessTokenUrl,
        String jwksUrl,
        String template,
        Instant createdAt,
        @Schema(description = "This tool's URLs, for the LMS's registration form") Tool tool) {

    /** The URLs an LMS asks for when a tool is registered. */
    public record Tool(
            @Schema(description = "OIDC login (initiation) URL") String loginUrl,
            @Schema(description = "Launch URL: the redirect URI and the default target link URI") String launchUrl,
            @Schema(description = "The tool's public keys (public JWK Set URL)") String jwksUrl,
            @Schema(description = "Deep-linking (content selection) URL") String deepLinkUrl) {
    }

    public static RegistrationView of(LtiRegistration r, ToolUrls urls) {
        return new RegistrationView(r.id, r.name, r.issuer, r.clientId, r.deploymentIdList(), r.authLoginUrl, r.accessTokenUrl, r.jwksUrl,
                r.template, r.createdAt, new Tool(urls.login(), urls.launch(), urls.jwks(), urls.deepLink()));
    }
}
