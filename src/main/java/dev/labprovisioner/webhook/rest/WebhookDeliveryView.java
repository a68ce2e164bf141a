package dev.labprovisioner.webhook.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import dev.labprovisioner.outbox.OutboxDeliveries;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;

/** One event sent (or being sent) to a subscription, with every attempt. */
public record WebhookDeliveryView(
        long id,
        @Schema(description = "The webhook-id header: the same on every attempt and redelivery") String webhookId,
        String type,
        @Schema(enumeration = {"PENDING", "DELIVERED", "FAILED"}) String state,
        Instant createdAt,
        @Schema(nullable = true, description = "When the next attempt is due (PENDING only)") Instant nextAttemptAt,
        @Schema(nullable = true) Instant deliveredAt,
        @Schema(nullable = true, description = "Why the last attempt did not deliver it, or why it was given up") String lastError,
        List<Attempt> attempts) {

    /** One attempt: when, the answer's status (null without an answer), latency, the answer's first bytes, or the error. */
    public record Attempt(Instant at,
                          // A JsonNode, not an Integer: the build-time JSON writer leaves a null Integer out of the answer.
                          @Schema(implementation = Integer.class, nullable = true, description = "The answer's HTTP status; null when no answer came")
                          JsonNode status, int latencyMs,
                          @Schema(nullable = true, description = "The first 1,024 bytes of the answer") String response,
                          @Schema(nullable = true) String error) {
    }

    public static WebhookDeliveryView of(OutboxDeliveries.Delivery d) {
        return new WebhookDeliveryView(d.id(), d.messageId(), d.type(), d.state(), d.createdAt(), d.nextAttemptAt(), d.deliveredAt(),
                d.lastError(), d.attempts().stream().map(a -> new Attempt(a.at(), a.status() == null ? null : IntNode.valueOf(a.status()), a.latencyMillis(), a.response(), a.error())).toList());
    }
}
