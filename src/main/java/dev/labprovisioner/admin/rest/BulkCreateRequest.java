package dev.labprovisioner.admin.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

public record BulkCreateRequest(
        @Schema(required = true, description = "A template id from GET /api/v1/templates", examples = "postgres-statefulset")
        String template,
        @Schema(required = true, maxItems = 500, description = "The roster: LMS learner ids (letters, digits and . _ - @ + :), each once")
        List<String> learnerIds,
        @Schema(minimum = "1", description = "Minutes until each new lab expires: 1 to labs.ttl.max-minutes (480 by default); default 120", examples = "120")
        Integer ttlMinutes) {
}
