package dev.labprovisioner.webhook;

import dev.labprovisioner.security.SigningKey;
import jakarta.enterprise.context.ApplicationScoped;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/**
 * Webhook signing secrets: {@code whsec_} and base64 of 32 random bytes, shown once. The service must sign with them,
 * so they are stored encrypted, not hashed: AES-256-GCM under a key derived from the service's key
 * ({@code labs.learner.signing-key}, like learner links and lab passwords), bound to the subscription's id.
 */
@ApplicationScoped
public class WebhookSecrets {

    private static final String FORMAT = "v1.";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;

    WebhookSecrets(SigningKey signingKey) {
        this.key = new SecretKeySpec(signingKey.sign("webhook-secret-encryption", new byte[0]), "AES");
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return WebhookSignature.SECRET_PREFIX + Base64.getEncoder().encodeToString(bytes);
    }

    public String encrypt(UUID subscription, String secret) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(SigningKey.bytes(subscription));
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return FORMAT + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The secret; fails if the service's key changed since it was stored (or the row was tampered with). */
    public String decrypt(UUID subscription, String stored) {
        if (!stored.startsWith(FORMAT)) {
            throw new IllegalStateException("Unknown secret format");
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(FORMAT.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            cipher.updateAAD(SigningKey.bytes(subscription));
            return new String(cipher.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The webhook secret cannot be decrypted: was labs.learner.signing-key changed?", e);
        }
    }
}
