package dev.labprovisioner.client;

import dev.labprovisioner.admin.AuditAction;
import dev.labprovisioner.admin.AuditLog;
import dev.labprovisioner.problem.ProblemException;
import dev.labprovisioner.security.ActiveClients;
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

/** Creates, lists and revokes API clients; creating and revoking are audited. */
@ApplicationScoped
@Transactional
public class ApiClientService {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");

    private final AuditLog audit;
    private final ActiveClients activeClients;

    ApiClientService(AuditLog audit, ActiveClients activeClients) {
        this.audit = audit;
        this.activeClients = activeClients;
    }

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
        // The secret stays out of the log: only what the client is.
        audit.record(caller, AuditAction.CLIENT_CREATE, client.id, "name '" + client.name + "', scopes " + client.scopes);
        return new Created(client, secret);
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<ApiClient> list() {
        return ApiClient.list("order by createdAt");
    }

    /**
     * Gives a client a new secret (shown once, in the answer) and stops the old one at once: for a secret
     * that leaked or is due for rotation. A revoked client cannot be rotated back to life.
     */
    public Created rotate(Caller caller, UUID id) {
        ApiClient client = ApiClient.findById(id);
        if (client == null) {
            throw ProblemException.notFound("No API client " + id + ".");
        }
        if (client.revokedAt != null) {
            throw ProblemException.conflict("API client " + id + " was revoked at " + client.revokedAt + "; create a new one instead.");
        }
        String secret = SecretHashes.newSecret();
        client.secretHash = SecretHashes.sha256Hex(secret);
        activeClients.changedInThisTransaction();
        audit.record(caller, AuditAction.CLIENT_ROTATE, client.id, "new secret for client '" + client.name + "'");
        return new Created(client, secret);
    }

    /** Revokes a client; revoking again is harmless. */
    public ApiClient revoke(Caller caller, UUID id) {
        ApiClient client = ApiClient.findById(id);
        if (client == null) {
            throw ProblemException.notFound("No API client " + id + ".");
        }
        if (client.revokedAt == null) {
            client.revokedAt = Instant.now();
            activeClients.changedInThisTransaction();
            audit.record(caller, AuditAction.CLIENT_REVOKE, client.id, "revoked client '" + client.name + "'");
        } else {
            audit.record(caller, AuditAction.CLIENT_REVOKE, client.id, "client '" + client.name + "' was already revoked at " + client.revokedAt);
        }
        return client;
    }
}
