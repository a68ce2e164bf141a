package dev.labprovisioner.client;

import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.Caller;
import dev.labprovisioner.security.Scopes;
import dev.labprovisioner.security.SecretHashes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/** Creates, lists and revokes API clients. */
@ApplicationScoped
@Transactional
public class ApiClientService {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");

    /** A new client and its secret, which exists only in this value: it is never stored. */
    public record Created(ApiClient client, String secret) {
    }

    public Created create(Caller caller, String name, List<String> scopes) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ProblemException.badRequest("'name' must be 1 to 100 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit.");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw ProblemException.badRequest("'scopes' must name at least one of " + Scopes.ALL + ".");
        }
        var unique = new LinkedHashSet<String>();
        for (String scope : scopes) {
            if (scope == null || !Scopes.ALL.contains(scope)) {
                throw ProblemException.badRequest("Unknown scope '" + scope + "': scopes are labs:read, labs:write and admin.");
            }
            unique.add(scope);
        }
        String secret = SecretHashes.newSecret();
        var client = new ApiClient();
        client.id = UUID.randomUUID();
        client.name = name;
        client.scopes = String.join(" ", unique);
        client.secretHash = SecretHashes.sha256Hex(secret);
        client.createdAt = Instant.now();
        client.createdBy = caller.name();
        client.persist();
        return new Created(client, secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ApiClient> list() {
        return ApiClient.list("order by createdAt");
    }

    /** Revokes a client; revoking again is harmless. */
    public ApiClient revoke(UUID id) {
        ApiClient client = ApiClient.findById(id);
        if (client == null) {
            throw ProblemException.notFound("No API client " + id + ".");
        }
        if (client.revokedAt == null) {
            client.revokedAt = Instant.now();
        }
        return client;
    }
}
