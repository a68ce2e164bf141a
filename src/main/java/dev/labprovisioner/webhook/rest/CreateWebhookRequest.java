package dev.labprovisioner.webhook.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** {@code POST /api/v1/webhooks}: where to send, and which events (all when left out). */
public record CreateWebhookRequest(
        @Schema(required = true, maxLength = 2000, description = "The https URL that receives the webhooks (a POST each)") String url,
        @Schema(nullable = true, description = "Event types to receive: lab.ready, lab.failed, lab.expiring, lab.deleted, checkpoint.passed, "
                + "checkpoint.failed, lab.completed. Left out: all of them.") List<String> events) {
}
