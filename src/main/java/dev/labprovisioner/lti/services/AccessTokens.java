package dev.labprovisioner.lti.services;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.labprovisioner.lti.keys.ToolKeys;
import dev.labprovisioner.lti.registration.LtiRegistration;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The tool's OAuth 2 access tokens at a platform (LTI Advantage security framework §4.1): client credentials with an
 * RFC 7523 JWT client assertion signed by the tool's key ({@code iss} = {@code sub} = our client id, {@code aud} = the
 * token URL, a fresh {@code jti}, a 5-minute {@code exp}). A token is cached per (registration, scopes) until shortly
 * before it expires; one caller at a time asks for a missing one, so concurrent sends share it. Tokens are never logged.
 */
@ApplicationScoped
public class AccessTokens {

    private static final Logger LOG = Logger.getLogger(AccessTokens.class);
    /** The assertion's lifetime: RFC 7523 wants it short; the platform checks it within a second of our signing. */
    static final Duration ASSERTION_LIFETIME = Duration.ofMinutes(5);
    /** What a token answer without {@code expires_in} is taken to last (RFC 6749 leaves it to the server; an hour is usual). */
    static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

    private final ToolKeys keys;
    private final PlatformHttp http;
    private final ObjectMapper json;
    private final Map<Key, Token> cache = new ConcurrentHashMap<>();
    private final Map<Key, Object> locks = new ConcurrentHashMap<>();

    AccessTokens(ToolKeys keys, PlatformHttp http, ObjectMapper json) {
        this.keys = keys;
        this.http = http;
        this.json = json;
    }

    private record Key(UUID registration, String scopes) {
    }

    private record Token(String value, Instant refreshAt) {
    }

    /** A token for {@code scopes} at the registration's platform: the cached one, or a new one. */
    public String token(LtiRegistration registration, Collection<String> scopes) throws PlatformFailure {
        Key key = key(registration, scopes);
        Token cached = cache.get(key);
        if (cached != null && Instant.now().isBefore(cached.refreshAt())) {
            return cached.value();
        }
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            cached = cache.get(key);
            if (cached != null && Instant.now().isBefore(cached.refreshAt())) {
                return cached.value();
            }
            Token fresh = request(registration, key.scopes());
            cache.put(key, fresh);
            return fresh.value();
        }
    }

    /** Drops the cached token (the platform answered 401 to it). */
    public void forget(LtiRegistration registration, Collection<String> scopes) {
        cache.remove(key(registration, scopes));
    }

    /** Drops every cached token, as a restart does. */
    public void forgetAll() {
        cache.clear();
    }

    private static Key key(LtiRegistration registration, Collection<String> scopes) {
        return new Key(registration.id, String.join(" ", new TreeSet<>(scopes)));
    }

    private Token request(LtiRegistration registration, String scopes) throws PlatformFailure {
        var url = http.url("token endpoint (accessTokenUrl)", registration.accessTokenUrl);
        Instant now = Instant.now();
        String assertion = keys.sign(new JWTClaimsSet.Builder()
                .issuer(registration.clientId).subject(registration.clientId).audience(registration.accessTokenUrl)
                .jwtID(UUID.randomUUID().toString()).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ASSERTION_LIFETIME)))
                .build());
        var form = new LinkedHashMap<String, String>();
        form.put("grant_type", "client_credentials");
        form.put("client_assertion_type", AdvantageServices.CLIENT_ASSERTION_TYPE);
        form.put("client_assertion", assertion);
        form.put("scope", scopes);
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        PlatformHttp.Answer answer = http.send(HttpRequest.newBuilder(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), "token endpoint");
        if (!answer.ok()) {
            String said = oauthError(answer.body()).orElse(answer.excerpt());
            boolean refused = answer.status() >= 400 && answer.status() < 500 && answer.status() != 408 && answer.status() != 429;
            throw new PlatformFailure(answer.status(), "The platform's token endpoint answered " + answer.status()
                    + (refused ? " to the tool's client assertion (check the registration's client id, and that the platform has the "
                    + "tool's key from /lti/jwks and grants the scopes " + scopes + ")" : "") + (said.isBlank() ? "" : ": " + said),
                    refused, answer.retryAfter());
        }
        JsonNode token;
        try {
            token = json.readTree(answer.body());
        } catch (IOException e) {
            throw new PlatformFailure(answer.status(), "The platform's token endpoint answered something that is not JSON", false, Optional.empty());
        }
        String value = token.path("access_token").asText("");
        if (value.isBlank()) {
            throw new PlatformFailure(answer.status(), "The platform's token endpoint answered no access_token", false, Optional.empty());
        }
        Duration lifetime = token.path("expires_in").canConvertToLong() && token.path("expires_in").asLong() > 0
                ? Duration.ofSeconds(token.path("expires_in").asLong()) : DEFAULT_LIFETIME;
        LOG.debugf("Access token from registration %s's platform for %s, valid %d s", registration.id, scopes, lifetime.toSeconds());
        return new Token(value, Instant.now().plus(lifetime).minus(margin(lifetime)));
    }

    /** How long before its expiry a token is replaced: a tenth of its life, between 5 s and a minute. */
    static Duration margin(Duration lifetime) {
        Duration tenth = lifetime.dividedBy(10);
        return tenth.compareTo(Duration.ofSeconds(5)) < 0 ? Duration.ofSeconds(5)
                : tenth.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : tenth;
    }

    /** RFC 6749 §5.2's {@code error} and {@code error_description}, when the answer has them. */
    private Optional<String> oauthError(String body) {
        try {
            JsonNode error = json.readTree(body);
            if (error == null || !error.hasNonNull("error")) {
                return Optional.empty();
            }
            String description = error.path("error_description").asText("");
            return Optional.of(error.path("error").asText() + (description.isBlank() ? "" : " (" + description + ")"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
