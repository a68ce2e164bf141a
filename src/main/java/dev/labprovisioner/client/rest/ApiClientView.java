package dev.labprovisioner.client.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.labprovisioner.client.ApiClient;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** An API client as the API shows it; {@code secret} only in the answer to its creation. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApiClientView(UUID id, String name, List<String> scopes, String secret, Instant createdAt, Instant revokedAt) {

    static ApiClientView of(ApiClient c, String secret) {
        return new ApiClientView(c.id, c.name, c.scopeList(), secret, c.createdAt, c.revokedAt);
    }
}
