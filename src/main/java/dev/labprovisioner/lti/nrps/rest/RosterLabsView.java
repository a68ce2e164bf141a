package dev.labprovisioner.lti.nrps.rest;

import dev.labprovisioner.lab.rest.LabView;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;
import java.util.UUID;

/** The context's learners' labs, in roster order, and the members who got none. */
public record RosterLabsView(
        UUID registrationId,
        String contextId,
        String template,
        @Schema(description = "Members the platform listed (every role and status)") int members,
        @Schema(description = "Pages of the membership container read (Link rel=\"next\" followed)") int pages,
        @Schema(description = "Labs this call created") long created,
        @Schema(description = "Learners whose lab was already there (a second call creates nothing)") long existing,
        @Schema(description = "One lab per active Learner: learnerId is their LTI user_id, courseId the context id") List<LabView> labs,
        @Schema(description = "Learners who got no lab, and why (a user_id this service cannot use as a learner id)") List<SkippedView> skipped) {

    public record SkippedView(@Schema(nullable = true) String userId, String reason) {
    }
}
