package dev.labprovisioner.lab.rest;

import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabState;

import java.time.Instant;
import java.util.UUID;

/** A lab as DESIGN §7 shows it. {@code learnerUrl} is absent once the lab is being torn down. */
public record LabView(UUID id, String learnerId, String courseId, String template, LabState state, String namespace,
                      String learnerUrl, Instant createdAt, Instant readyAt, Instant expiresAt, Instant deletedAt,
                      String failureReason) {

    public static LabView of(Lab lab, String learnerUrl) {
        boolean usable = lab.state.isLive() || lab.state == LabState.FAILED;
        return new LabView(lab.id, lab.learnerId, lab.courseId.isEmpty() ? null : lab.courseId, lab.template, lab.state,
                lab.namespace, usable ? learnerUrl : null, lab.createdAt, lab.readyAt, lab.expiresAt, lab.deletedAt,
                lab.failureReason);
    }
}
