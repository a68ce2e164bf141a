package dev.labprovisioner.checkpoint.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.labprovisioner.checkpoint.CheckpointStatus;
import dev.labprovisioner.template.CheckpointDefinition;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/** One checkpoint of a lab's progress (DESIGN §7), plus its points, level, evidence and what acting would do. */
public record CheckpointView(
        String id,
        String title,
        CheckpointStatus status,
        int attempts,
        Instant passedAt,
        @Schema(description = "What the last validation concluded, in words the learner can act on") String message,
        int points,
        CheckpointDefinition.Level level,
        Instant lastValidatedAt,
        @Schema(description = "What the check went by: pod and claim UIDs, ordinals, times") JsonNode evidence,
        @Schema(description = "Set when the check can act (validate with act=true): what it will do") String acts) {
}
