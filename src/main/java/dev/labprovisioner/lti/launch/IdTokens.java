package dev.labprovisioner.lti.launch;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lti.LtiClaims;
import dev.labprovisioner.lti.LtiRefusal;
import dev.labprovisioner.lti.registration.LtiRegistration;
import jakarta.enterprise.context.ApplicationScoped;

import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Checks a launch's id_token as LTI 1.3 Core §5.1.3 and the Security Framework §5.1.3 ask: RS256 signature by a key of
 * the platform's JWKS ({@code kid}), {@code iss}, {@code aud} (and {@code azp} when there are several audiences),
 * {@code exp} and {@code iat} with {@code labs.lti.clock-skew}, the nonce issued with the login's state, used once, a
 * registered deployment id, version 1.3.0 and a message type this tool handles.
 */
@ApplicationScoped
public class IdTokens {

    public static final int MAX_TOKEN_LENGTH = 64 * 1024;
    private static final Set<String> MESSAGE_TYPES = Set.of(LtiClaims.RESOURCE_LINK_REQUEST, LtiClaims.DEEP_LINKING_REQUEST);

    private final PlatformKeys platformKeys;
    private final LoginStates states;
    private final Duration skew;

    IdTokens(PlatformKeys platformKeys, LoginStates states, LabsConfig config) {
        this.platformKeys = platformKeys;
        this.states = states;
        this.skew = config.lti().clockSkew();
    }

    /** The token's claims, once every check has passed and its nonce is recorded as used; else an {@link LtiRefusal}. */
    public JWTClaimsSet validate(String idToken, LtiRegistration registration, String expectedNonce) {
        if (idToken == null || idToken.isBlank()) {
            throw LtiRefusal.badRequest("The launch carries no id_token.");
        }
        if (idToken.length() > MAX_TOKEN_LENGTH) {
            throw LtiRefusal.badRequest("The id_token is longer than " + MAX_TOKEN_LENGTH + " characters.");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(idToken);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw LtiRefusal.badRequest("The id_token is not a signed JWT.");
        }
        verifySignature(jwt, registration);

        if (!registration.issuer.equals(claims.getIssuer())) {
            throw LtiRefusal.unauthorized("The id_token's issuer (iss) is not the registered platform's.");
        }
        List<String> audience = claims.getAudience();
        if (audience == null || !audience.contains(registration.clientId)) {
            throw LtiRefusal.unauthorized("The id_token is not meant for this tool: its audience (aud) lacks the registered client id.");
        }
        String azp = stringClaim(claims, "azp");
        if (audience.size() > 1 && azp == null) {
            throw LtiRefusal.unauthorized("The id_token has several audiences but no authorized party (azp).");
        }
        if (azp != null && !azp.equals(registration.clientId)) {
            throw LtiRefusal.unauthorized("The id_token's authorized party (azp) is not this tool's client id.");
        }
        Instant now = Instant.now();
        Date exp = claims.getExpirationTime();
        if (exp == null || !now.isBefore(exp.toInstant().plus(skew))) {
            throw LtiRefusal.unauthorized("The id_token has expired (exp); launch the tool again from the LMS.");
        }
        Date iat = claims.getIssueTime();
        if (iat == null || iat.toInstant().isAfter(now.plus(skew))) {
            throw LtiRefusal.unauthorized("The id_token's issue time (iat) is missing or in the future.");
        }
        String nonce = stringClaim(claims, "nonce");
        if (nonce == null || !nonce.equals(expectedNonce)) {
            throw LtiRefusal.unauthorized("The id_token's nonce is not the one this tool issued at login.");
        }
        String deployment = stringClaim(claims, LtiClaims.DEPLOYMENT_ID);
        if (!registration.hasDeployment(deployment)) {
            throw LtiRefusal.unauthorized("The launch's deployment id is not registered with this tool; an administrator adds it to the "
                    + "LTI registration.");
        }
        if (!LtiClaims.LTI_VERSION.equals(stringClaim(claims, LtiClaims.VERSION))) {
            throw LtiRefusal.badRequest("The launch is not LTI version " + LtiClaims.LTI_VERSION + ".");
        }
        String type = stringClaim(claims, LtiClaims.MESSAGE_TYPE);
        if (type == null || !MESSAGE_TYPES.contains(type)) {
            throw LtiRefusal.badRequest("This tool handles LtiResourceLinkRequest and LtiDeepLinkingRequest launches, not "
                    + (type == null ? "a launch without a message type" : type) + ".");
        }
        if (!states.useNonce(registration.id, nonce, exp.toInstant().plus(skew))) {
            throw LtiRefusal.unauthorized("This id_token was used before (its nonce): a launch is good once.");
        }
        return claims;
    }

    private void verifySignature(SignedJWT jwt, LtiRegistration registration) {
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm())) {
            throw LtiRefusal.unauthorized("The id_token must be signed with RS256.");
        }
        String kid = jwt.getHeader().getKeyID();
        if (kid == null) {
            throw LtiRefusal.unauthorized("The id_token names no signing key (kid).");
        }
        JWK key = platformKeys.key(registration.jwksUrl, kid).orElseThrow(() -> LtiRefusal.unauthorized(
                "The id_token is signed with a key (kid) that the platform's JWKS does not hold."));
        try {
            if (!(key instanceof RSAKey rsa) || !jwt.verify(new RSASSAVerifier(rsa))) {
                throw LtiRefusal.unauthorized("The id_token's signature does not verify against the platform's key.");
            }
        } catch (JOSEException e) {
            throw LtiRefusal.unauthorized("The id_token's signature cannot be verified: " + e.getMessage());
        }
    }

    /** A claim that must be a string: absent or of another type reads as null. */
    static String stringClaim(JWTClaimsSet claims, String name) {
        return claims.getClaim(name) instanceof String s ? s : null;
    }
}
