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
        @Schema(nullable = true) Instant passedAt,
        @Schema(description = "What the last validation concluded, in words the learner can act on") String message,
        int points,
        CheckpointDefinition.Level level,
        @Schema(nullable = true) Instant lastValidatedAt,
        @Schema(nullable = true, implementation = java.util.Map.class,
                description = "What the last validation went by, as names and values; which names depends on the checkpoint's kind "
                        + "(e.g. pod, podUid, claim, claimUid, claimUids, ordinal, hostname, dnsName, service, tables, deletedAt, "
                        + "recreatedAt, terminationOrder, baselineTakenAt). Null until the checkpoint is validated.")
        JsonNode evidence,
        @Schema(nullable = true, description = "Set when the check can act (validate with act=true): what it will do") String acts) {
}
