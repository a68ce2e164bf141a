package dev.labprovisioner.lab.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabState;

import java.time.Instant;
import java.util.UUID;

/** A lab as DESIGN §7 shows it. {@code learnerUrl} is absent once the lab is being torn down. */
public record LabView(UUID id, String learnerId,
                      @Schema(nullable = true, description = "Null when the lab was asked for without a course") String courseId,
                      String template, LabState state, String namespace,
                      @Schema(nullable = true, description = "The learner's link (it is their credential); null once the lab is torn down")
                      String learnerUrl,
                      Instant createdAt,
                      @Schema(nullable = true, description = "When it first became READY") Instant readyAt,
                      Instant expiresAt,
                      @Schema(nullable = true, description = "When its teardown finished") Instant deletedAt,
                      @Schema(nullable = true, description = "Why it is FAILED, in words an instructor can act on") String failureReason) {

    public static LabView of(Lab lab, String learnerUrl) {
        boolean usable = lab.state.isLive() || lab.state == LabState.FAILED;
        return new LabView(lab.id, lab.learnerId, lab.courseId.isEmpty() ? null : lab.courseId, lab.template, lab.state,
                lab.namespace, usable ? learnerUrl : null, lab.createdAt, lab.readyAt, lab.expiresAt, lab.deletedAt,
                lab.failureReason);
    }
}
