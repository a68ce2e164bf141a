package dev.labprovisioner.lti.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** The document's description of {@code GET /lti/jwks} (RFC 7517): the tool's public RSA keys. */
@Schema(name = "JsonWebKeySet", description = "RFC 7517 JSON Web Key Set: the tool's public keys")
public record JwksView(List<Key> keys) {

    @Schema(name = "JsonWebKey", description = "A public RSA key (RFC 7517, 7518): never a private member")
    public record Key(
            @Schema(description = "Key type: RSA") String kty,
            @Schema(description = "Use: sig") String use,
            @Schema(description = "Algorithm: RS256") String alg,
            @Schema(description = "Key id, as the tool's JWT headers name it") String kid,
            @Schema(description = "Modulus (base64url)") String n,
            @Schema(description = "Public exponent (base64url)") String e) {
    }
}
