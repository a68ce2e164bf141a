package dev.labprovisioner.lab.rest;

import dev.labprovisioner.lab.LabService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

public record CreateLabRequest(
        @Schema(required = true, maxLength = LabService.MAX_ID_LENGTH, pattern = "^" + LabService.ID_PATTERN + "$", description = "The LMS's id of the learner: letters, digits and . _ - @ + :", examples = "learner-42")
        String learnerId,
        @Schema(maxLength = LabService.MAX_ID_LENGTH, pattern = "^" + LabService.ID_PATTERN + "$", description = "Optional course id (same characters)", examples = "k8s-101")
        String courseId,
        @Schema(required = true, description = "A template id from GET /api/v1/templates", examples = "postgres-statefulset")
        String template,
        @Schema(minimum = "1", description = "Minutes until the lab expires: 1 to labs.ttl.max-minutes (480 by default); default 120", examples = "120")
        Integer ttlMinutes) {
}
