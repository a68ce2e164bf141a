package dev.labprovisioner.lti.ags.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.labprovisioner.lti.ags.Score;
import dev.labprovisioner.lti.ags.ScoreDeliveries;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One score sent (or being sent) to a platform's gradebook, with every attempt. */
public record ScoreDeliveryView(
        long id,
        @Schema(enumeration = {"PENDING", "DELIVERED", "FAILED"}) String state,
        Instant createdAt,
        @Schema(nullable = true, description = "When the next attempt is due (PENDING only)") Instant nextAttemptAt,
        @Schema(nullable = true) Instant deliveredAt,
        @Schema(nullable = true, description = "Why the last attempt did not deliver it, or why it was given up") String lastError,
        @Schema(nullable = true, description = "The lab whose score it is") UUID labId,
        @Schema(nullable = true) UUID registrationId,
        @Schema(nullable = true, description = "The LTI context (course) id") String contextId,
        @Schema(nullable = true) String template,
        @Schema(nullable = true, description = "The line item the launch named; null: found or made in lineitems by resourceId = the template")
        String lineitem,
        @Schema(nullable = true, description = "The context's line items container") String lineitems,
        @Schema(nullable = true, description = "The score as POSTed (userId is the learner's LTI user id)") Score score,
        List<Attempt> attempts) {

    /** One attempt: when, the answer's status (null without an answer), latency, the answer's first bytes, or the error. */
    public record Attempt(Instant at,
                          // A JsonNode, not an Integer: the build-time JSON writer leaves a null Integer out of the answer.
                          @Schema(implementation = Integer.class, nullable = true, description = "The answer's HTTP status; null when no answer came")
                          JsonNode status, int latencyMs,
                          @Schema(nullable = true, description = "The first 1,024 bytes of the answer") String response,
                          @Schema(nullable = true) String error) {
    }

    public static ScoreDeliveryView of(ScoreDeliveries.Listed listed) {
        var d = listed.delivery();
        var s = listed.score();
        return new ScoreDeliveryView(d.id(), d.state(), d.createdAt(), d.nextAttemptAt(), d.deliveredAt(), d.lastError(), listed.labId(),
                s == null ? null : s.registrationId(), s == null ? null : s.contextId(), s == null ? null : s.template(),
                s == null ? null : s.lineitem(), s == null ? null : s.lineitems(), s == null ? null : s.score(),
                d.attempts().stream().map(a -> new Attempt(a.at(), a.status() == null ? null : IntNode.valueOf(a.status()), a.latencyMillis(),
                        a.response(), a.error())).toList());
    }
}
