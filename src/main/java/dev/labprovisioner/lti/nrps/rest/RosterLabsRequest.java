package dev.labprovisioner.lti.nrps.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What a roster's labs are made of; both optional. */
public record RosterLabsRequest(
        @Schema(description = "A template id from GET /api/v1/templates; default: the template the context's last launch opened, else the registration's",
                examples = "postgres-statefulset") String template,
        @Schema(minimum = "1", description = "Minutes until each new lab expires: 1 to labs.ttl.max-minutes; default 120", examples = "120")
        Integer ttlMinutes) {
}
