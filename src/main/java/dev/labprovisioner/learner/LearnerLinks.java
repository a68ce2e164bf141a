package dev.labprovisioner.learner;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.security.SigningKey;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Learner links: {@code <base>/learn/<lab id>.<HMAC of the lab id>}. Unguessable without the key, bound to
 * one lab; they die with the lab because every use looks the lab up (expired or deleted: 410).
 */
@ApplicationScoped
public class LearnerLinks {

    private static final String PURPOSE = "learner-link-v1";
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final SigningKey key;
    private final String baseUrl;

    LearnerLinks(SigningKey key, LabsConfig config) {
        this.key = key;
        String base = config.publicBaseUrl();
        this.baseUrl = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    public String token(UUID labId) {
        return B64.encodeToString(SigningKey.bytes(labId)) + "." + B64.encodeToString(key.sign(PURPOSE, labId));
    }

    public String url(UUID labId) {
        return baseUrl + "/learn/" + token(labId);
    }

    /** The lab's address in the API, on the same public base: the Location of a create or a reset. */
    public String apiUrl(UUID labId) {
        return baseUrl + "/api/v1/labs/" + labId;
    }

    /** The lab a token was signed for, if the signature holds. */
    public Optional<UUID> verify(String token) {
        if (token == null || token.length() > 100) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        try {
            byte[] id = Base64.getUrlDecoder().decode(token.substring(0, dot));
            if (id.length != 16) {
                return Optional.empty();
            }
            // The link exactly as it was written: the decoder ignores the unused bits of a last character, so
            // comparing decoded bytes would also open the lab for other spellings of the same link.
            String expected = B64.encodeToString(id) + "." + B64.encodeToString(key.sign(PURPOSE, id));
            if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))) {
                return Optional.empty();
            }
            ByteBuffer b = ByteBuffer.wrap(id);
            return Optional.of(new UUID(b.getLong(), b.getLong()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
