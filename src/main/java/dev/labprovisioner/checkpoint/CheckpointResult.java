package dev.labprovisioner.checkpoint;

import java.time.Instant;

/** The latest result of one checkpoint of a lab, as stored. {@code evidence} is JSON. */
public record CheckpointResult(String checkpointId, CheckpointStatus status, int attempts, Instant passedAt, String message,
                               String evidence, Instant lastValidatedAt) {
}
