package dev.labprovisioner.admin.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.UUID;

/** A lab of a course extension that stopped at its maximum lifetime. */
public record LimitedLabView(
        UUID labId,
        String learnerId,
        @Schema(description = "Where the extension would have put expiresAt") Instant requestedExpiresAt,
        @Schema(description = "Where it is now: the end of the lab's maximum lifetime") Instant expiresAt) {
}
