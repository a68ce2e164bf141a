package dev.labprovisioner.checkpoint.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/** A lab's progress (DESIGN §7). {@code completed}: every REQUIRED checkpoint has passed. */
public record ProgressView(
        UUID labId,
        int score,
        int maxScore,
        @Schema(description = "Every REQUIRED checkpoint has passed (ADVANCED ones add to the score only)") boolean completed,
        List<CheckpointView> checkpoints) {
}
