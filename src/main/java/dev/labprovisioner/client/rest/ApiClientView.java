package dev.labprovisioner.client.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import dev.labprovisioner.client.ApiClient;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An API client as the API shows it; {@code secret} only in the answer to its creation or rotation, null elsewhere. */
public record ApiClientView(UUID id, String name, List<String> scopes,
                            @Schema(nullable = true, description = "The secret, in the answer to create and rotate only (it is stored as a hash); null elsewhere")
                            String secret,
                            Instant createdAt,
                            @Schema(nullable = true) Instant revokedAt) {

    static ApiClientView of(ApiClient c, String secret) {
        return new ApiClientView(c.id, c.name, c.scopeList(), secret, c.createdAt, c.revokedAt);
    }
}
