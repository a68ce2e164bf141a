package dev.labprovisioner.lti.launch;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.lti.LtiRefusal;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The platforms' public keys (their JWKS URLs), cached for {@code labs.lti.jwks-cache-ttl}. A {@code kid} the cached set
 * lacks makes one fresh fetch (a platform that rotated its key), at most once per {@code labs.lti.jwks-refetch-interval}
 * per URL, so that forged tokens cannot make us hammer the platform. Fetches time out after {@code labs.lti.http-timeout};
 * a platform that cannot be reached is a 503 unless the key is in the (stale) cache.
 */
@ApplicationScoped
public class PlatformKeys {

    private static final Logger LOG = Logger.getLogger(PlatformKeys.class);
    private static final int MAX_JWKS_BYTES = 256 * 1024;

    private final DefaultResourceRetriever retriever;
    private final Duration ttl;
    private final Duration refetchInterval;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    private record Cached(JWKSet keys, Instant fetchedAt) {
    }

    PlatformKeys(LabsConfig config) {
        int timeout = (int) config.lti().httpTimeout().toMillis();
        this.retriever = new DefaultResourceRetriever(timeout, timeout, MAX_JWKS_BYTES);
        this.ttl = config.lti().jwksCacheTtl();
        this.refetchInterval = config.lti().jwksRefetchInterval();
    }

    /** The key {@code kid} of the platform's set, if it has one. */
    public Optional<JWK> key(String jwksUrl, String kid) {
        Cached cached = cache.get(jwksUrl);
        Instant now = Instant.now();
        if (cached != null && now.isBefore(cached.fetchedAt().plus(ttl))) {
            JWK key = cached.keys().getKeyByKeyId(kid);
            if (key != null || now.isBefore(cached.fetchedAt().plus(refetchInterval))) {
                return Optional.ofNullable(key);
            }
        }
        synchronized (lock(jwksUrl)) {
            Cached again = cache.get(jwksUrl);
            if (again != null && again != cached && again.keys().getKeyByKeyId(kid) != null) {
                return Optional.of(again.keys().getKeyByKeyId(kid)); // another thread fetched meanwhile
            }
            try {
                Cached fresh = new Cached(fetch(jwksUrl), Instant.now());
                cache.put(jwksUrl, fresh);
                return Optional.ofNullable(fresh.keys().getKeyByKeyId(kid));
            } catch (IOException | ParseException e) {
                LOG.warnf("The platform's keys at %s could not be fetched: %s", jwksUrl, e.getMessage());
                if (cached != null && cached.keys().getKeyByKeyId(kid) != null) {
                    return Optional.of(cached.keys().getKeyByKeyId(kid)); // stale, but the platform is down: better than refusing
                }
                throw LtiRefusal.unavailable("The LMS's public keys (" + jwksUrl + ") could not be fetched to verify the launch. "
                        + "Try again in a moment; if it persists, the LTI registration's JWKS URL may be wrong.");
            }
        }
    }

    private JWKSet fetch(String jwksUrl) throws IOException, ParseException {
        return JWKSet.parse(retriever.retrieveResource(URI.create(jwksUrl).toURL()).getContent());
    }

    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private Object lock(String url) {
        return locks.computeIfAbsent(url, u -> new Object());
    }
}
