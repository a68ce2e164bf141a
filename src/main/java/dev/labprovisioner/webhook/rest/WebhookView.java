package dev.labprovisioner.webhook.rest;

import dev.labprovisioner.webhook.WebhookSubscription;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A webhook subscription (DESIGN §10). {@code secret} only in the answer to its creation. */
public record WebhookView(
        UUID id,
        String url,
        List<String> events,
        @Schema(description = "False once the receiver answered 410 Gone: nothing more is sent to it") boolean enabled,
        Instant createdAt,
        @Schema(nullable = true) Instant disabledAt,
        @Schema(nullable = true) String disabledReason,
        @Schema(nullable = true, description = "After a secret rotation: until when the previous secret also signs (a second "
                + "signature in webhook-signature); null when only the current secret signs") Instant previousSecretExpiresAt,
        @Schema(nullable = true, description = "whsec_ and base64 of 32 random bytes: verifies the webhook-signature of every "
                + "delivery (Standard Webhooks). Shown once, in the answer to the create or to a rotation; null otherwise") String secret) {

    public static WebhookView of(WebhookSubscription s, String secret) {
        return new WebhookView(s.id, s.url, s.eventTypes(), s.disabledAt == null, s.createdAt, s.disabledAt, s.disabledReason,
                s.previousSecretSigns(Instant.now()) ? s.previousSecretUntil : null, secret);
    }
}
