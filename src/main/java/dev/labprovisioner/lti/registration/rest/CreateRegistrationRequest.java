package dev.labprovisioner.lti.registration.rest;

import dev.labprovisioner.lti.registration.RegistrationService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** {@code POST /api/v1/admin/lti/platforms}: what the LMS shows once the tool is registered there. */
public record CreateRegistrationRequest(
        @Schema(required = true, maxLength = 100, description = "A name for people, e.g. 'Canvas (production)'") String name,
        @Schema(required = true, maxLength = 500, description = "The platform's issuer: its id_tokens' 'iss' (Canvas: https://canvas.instructure.com)") String issuer,
        @Schema(required = true, maxLength = 255, description = "This tool's client id at the platform: its id_tokens' 'aud'") String clientId,
        @Schema(required = true, description = "The deployment ids allowed to launch (the id_token's deployment_id claim)") List<String> deploymentIds,
        @Schema(required = true, maxLength = 2000, description = "The platform's OIDC authorization endpoint (https)") String authLoginUrl,
        @Schema(required = true, maxLength = 2000, description = "The platform's OAuth2 token endpoint (https), for grades and rosters") String accessTokenUrl,
        @Schema(required = true, maxLength = 2000, description = "The platform's public keys (https)") String jwksUrl,
        @Schema(required = true, description = "The lab template a plain launch opens; a deep-linked resource or a 'template' custom parameter overrides it") String template) {

    public RegistrationService.NewRegistration toNew() {
        return new RegistrationService.NewRegistration(name, issuer, clientId, deploymentIds, authLoginUrl, accessTokenUrl, jwksUrl, template);
    }
}
