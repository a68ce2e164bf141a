package dev.labprovisioner.lab.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

public record CreateLabRequest(
        @Schema(required = true, maxLength = 128, description = "The LMS's id of the learner: letters, digits and . _ - @ + :", examples = "learner-42")
        String learnerId,
        @Schema(maxLength = 128, description = "Optional course id (same characters)", examples = "k8s-101")
        String courseId,
        @Schema(required = true, description = "A template id from GET /api/v1/templates", examples = "postgres-statefulset")
        String template,
        @Schema(description = "Minutes until the lab expires (default 120)", examples = "120")
        Integer ttlMinutes) {
}
