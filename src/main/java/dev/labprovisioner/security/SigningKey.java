package dev.labprovisioner.security;

import dev.labprovisioner.config.LabsConfig;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The service's HMAC key ({@code labs.learner.signing-key}): signs learner links and derives each lab's
 * database password, so neither needs storing. Sandbox mode without a key makes one per JVM.
 */
@ApplicationScoped
public class SigningKey {

    private static final String SANDBOX_KEY_PROPERTY = "lab-provisioner.sandbox.signing-key";
    private final byte[] key;
    SigningKey(LabsConfig config) {
        String encoded = config.learner().signingKey().orElseGet(() -> {
            if (config.mode() == LabsConfig.Mode.REAL) {
                throw new IllegalStateException("labs.learner.signing-key (LABS_LEARNER_SIGNING_KEY) is required in real mode");
            }
            synchronized (SigningKey.class) {
                String k = System.getProperty(SANDBOX_KEY_PROPERTY);
                if (k == null) {
                    byte[] random = new byte[32];
                    new SecureRandom().nextBytes(random);
                    k = Base64.getEncoder().encodeToString(random);
                    System.setProperty(SANDBOX_KEY_PROPERTY, k);
                }
                return k;
            }
        });
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            decoded = encoded.getBytes(StandardCharsets.UTF_8);
        }
        if (decoded.length < 32) {
            throw new IllegalStateException("labs.learner.signing-key must hold at least 32 bytes (e.g. openssl rand -base64 32)");
        }
        this.key = decoded;
        this.keyed = keyed(decoded);
    }

    /** A Mac keyed once; each signature works on a clone (a lookup of the provider and a key schedule per call cost more than the HMAC). */
    private final Mac keyed;

    private static Mac keyed(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Mac newMac() {
        try {
            return (Mac) keyed.clone();
        } catch (CloneNotSupportedException e) {
            return keyed(key); // a provider whose Mac cannot be cloned: key a new one each time
        }
    }

    /** HMAC-SHA256 of {@code purpose:<the id's 16 bytes>}. */
    public byte[] sign(String purpose, java.util.UUID id) {
        return sign(purpose, bytes(id));
    }

    public static byte[] bytes(java.util.UUID id) {
        return java.nio.ByteBuffer.allocate(16).putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits()).array();
    }

    /** HMAC-SHA256 of {@code purpose:value}; purposes keep the uses of the key apart. */
    public byte[] sign(String purpose, byte[] value) {
        Mac mac = newMac();
        mac.update(purpose.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) ':');
        return mac.doFinal(value);
    }
}
