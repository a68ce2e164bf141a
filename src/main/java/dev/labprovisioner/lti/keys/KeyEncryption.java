package dev.labprovisioner.lti.keys;

import dev.labprovisioner.config.LabsConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts the tool's private keys at rest: AES-256-GCM under a key derived (HMAC-SHA256) from
 * {@code labs.lti.key-encryption-key}, a key of its own so that neither the learner links' key nor this one opens the
 * other's secrets. Each ciphertext is bound to its {@code kid}. The sandbox makes a key per start.
 */
@ApplicationScoped
public class KeyEncryption {

    private static final String FORMAT = "v1.";
    private static final String SANDBOX_KEY_PROPERTY = "lab-provisioner.sandbox.lti-key-encryption-key";
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretKeySpec key;
    private final boolean sandboxKey;

    @Inject
    KeyEncryption(LabsConfig config) {
        this(config.lti().keyEncryptionKey().orElseGet(() -> {
            if (config.mode() == LabsConfig.Mode.REAL) {
                throw new IllegalStateException("labs.lti.key-encryption-key (LABS_LTI_KEY_ENCRYPTION_KEY) is required in real mode");
            }
            return newSandboxKey();
        }), config.lti().keyEncryptionKey().isEmpty());
    }

    KeyEncryption(String encoded, boolean sandboxKey) {
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            decoded = encoded.getBytes(StandardCharsets.UTF_8);
        }
        if (decoded.length < 32) {
            throw new IllegalStateException("labs.lti.key-encryption-key must hold at least 32 bytes (e.g. openssl rand -base64 32)");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(decoded, "HmacSHA256"));
            this.key = new SecretKeySpec(mac.doFinal("lti-tool-key-encryption-v1".getBytes(StandardCharsets.UTF_8)), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.sandboxKey = sandboxKey;
    }

    private static synchronized String newSandboxKey() {
        String k = System.getProperty(SANDBOX_KEY_PROPERTY);
        if (k == null) {
            byte[] random = new byte[32];
            RANDOM.nextBytes(random);
            k = Base64.getEncoder().encodeToString(random);
            System.setProperty(SANDBOX_KEY_PROPERTY, k);
        }
        return k;
    }

    /** Whether the key is the sandbox's own, made at this start (keys stored by an earlier start cannot be opened). */
    boolean sandboxKey() {
        return sandboxKey;
    }

    String encrypt(String kid, byte[] plain) {
        try {
            byte[] iv = new byte[12];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            return FORMAT + Base64.getEncoder().encodeToString(ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The plain bytes; fails if the key changed since they were stored (or the row was tampered with). */
    byte[] decrypt(String kid, String stored) {
        if (!stored.startsWith(FORMAT)) {
            throw new IllegalStateException("Unknown private key format for kid " + kid);
        }
        try {
            byte[] all = Base64.getDecoder().decode(stored.substring(FORMAT.length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, 12));
            cipher.updateAAD(kid.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(all, 12, all.length - 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The LTI tool key " + kid + " cannot be decrypted: was labs.lti.key-encryption-key changed?");
        }
    }
}
