package dev.labprovisioner.security;

import dev.labprovisioner.client.ApiClient;
import dev.labprovisioner.config.LabsConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Turns a bearer secret into an identity: the bootstrap admin token, or an API client's secret. */
@ApplicationScoped
public class ApiCredentialIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final LabsConfig config;

    ApiCredentialIdentityProvider(LabsConfig config) {
        this.config = config;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String secret = request.getToken().getToken();
        return context.runBlocking(() -> identify(secret));
    }

    private SecurityIdentity identify(String secret) {
        var bootstrap = config.admin().bootstrapToken();
        if (bootstrap.isPresent() && SecretHashes.constantTimeEquals(secret, bootstrap.get())) {
            return QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(Scopes.BOOTSTRAP_OWNER))
                    .addRoles(Scopes.ALL)
                    .addAttribute(Caller.NAME_ATTRIBUTE, "bootstrap admin")
                    .build();
        }
        if (!secret.startsWith(SecretHashes.SECRET_PREFIX)) {
            throw new AuthenticationFailedException();
        }
        // Looked up by hash: the index answers in equal time whatever the secret, and no secret is stored.
        String hash = SecretHashes.sha256Hex(secret);
        ApiClient client = QuarkusTransaction.joiningExisting().call(
                () -> ApiClient.<ApiClient>find("secretHash = ?1 and revokedAt is null", hash).firstResult());
        if (client == null) {
            throw new AuthenticationFailedException();
        }
        var builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(client.id.toString()))
                .addAttribute(Caller.NAME_ATTRIBUTE, client.name);
        for (String scope : client.scopeList()) {
            builder.addRole(scope);
            if (Scopes.ADMIN.equals(scope)) {
                builder.addRoles(Scopes.ALL);
            }
        }
        return builder.build();
    }
}
