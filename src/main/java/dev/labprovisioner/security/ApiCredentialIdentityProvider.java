package dev.labprovisioner.security;

import dev.labprovisioner.config.LabsConfig;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** Turns a bearer secret into an identity: the bootstrap admin token, or an API client's secret. */
@ApplicationScoped
public class ApiCredentialIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final ActiveClients clients;
    /** The bootstrap token's SHA-256 (null without one): each call's secret is hashed once and compared in constant time. */
    private final byte[] bootstrapHash;

    ApiCredentialIdentityProvider(LabsConfig config, ActiveClients clients) {
        this.clients = clients;
        this.bootstrapHash = config.admin().bootstrapToken().map(t -> SecretHashes.sha256(t.getBytes(StandardCharsets.UTF_8))).orElse(null);
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String secret = request.getToken().getToken();
        byte[] hash = SecretHashes.sha256(secret.getBytes(StandardCharsets.UTF_8));
        if (bootstrapHash != null && MessageDigest.isEqual(hash, bootstrapHash)) {
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(Scopes.BOOTSTRAP_OWNER))
                    .addRoles(Scopes.ALL)
                    .addAttribute(Caller.NAME_ATTRIBUTE, "bootstrap admin")
                    .build());
        }
        if (!secret.startsWith(SecretHashes.SECRET_PREFIX)) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        String hex = HexFormat.of().formatHex(hash);
        // Known to this replica: answered here, on the I/O thread. Otherwise the database is asked, off it.
        var known = clients.cached(hex);
        if (known.isPresent()) {
            return Uni.createFrom().item(identity(known.get()));
        }
        return context.runBlocking(() -> identity(clients.load(hex).orElseThrow(AuthenticationFailedException::new)));
    }

    private static SecurityIdentity identity(ActiveClients.ActiveClient client) {
        var builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(client.id().toString()))
                .addAttribute(Caller.NAME_ATTRIBUTE, client.name());
        for (String scope : client.scopes().split(" ")) {
            builder.addRole(scope);
            if (Scopes.ADMIN.equals(scope)) {
                builder.addRoles(Scopes.ALL);
            }
        }
        return builder.build();
    }
}
