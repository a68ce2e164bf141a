package dev.labprovisioner.lti.keys.rest;

import dev.labprovisioner.lti.keys.ToolKeys;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/** A tool key as the API shows it: its id and dates, never key material. */
public record ToolKeyView(
        String kid,
        Instant createdAt,
        @Schema(nullable = true, description = "When it stopped signing; null for the current key") Instant retiredAt,
        @Schema(nullable = true, description = "A retired key's public half is in /lti/jwks until then") Instant publishedUntil,
        @Schema(description = "The key that signs now") boolean current) {

    public static ToolKeyView of(ToolKeys.KeyInfo k) {
        return new ToolKeyView(k.kid(), k.createdAt(), k.retiredAt(), k.publishedUntil(), k.current());
    }
}
