package dev.labprovisioner.lti.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.labprovisioner.config.LabsConfig;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The tool's signing keys (RSA 2048, RS256): one current key signs (deep-linking responses, client assertions), and
 * every key still published is in {@code GET /lti/jwks}. The first start makes the first key; a rotation makes a new
 * current key and keeps the old public key published for {@code labs.lti.key-overlap}. Private keys exist in clear only
 * in this object's memory: stored encrypted ({@link KeyEncryption}), never logged, never answered.
 */
@ApplicationScoped
public class ToolKeys {

    private static final Logger LOG = Logger.getLogger(ToolKeys.class);
    /** Serializes key creation and rotation across replicas (a transaction-scoped advisory lock). */
    private static final long LOCK = 0x4C54494B4559L; // "LTIKEY"
    /** How long a replica signs with the key it loaded before it looks for a rotation made by another replica. */
    private static final Duration RELOAD = Duration.ofSeconds(30);

    private final KeyEncryption encryption;
    private final EntityManager em;
    private final LabsConfig.Lti settings;
    private volatile Loaded current;

    /** The current key as loaded: the private key, decrypted. */
    private record Loaded(RSAKey key, Instant loadedAt) {
    }

    /** What may be shown of a key: never its private half. */
    public record KeyInfo(String kid, Instant createdAt, Instant retiredAt, Instant publishedUntil, boolean current) {
    }

    ToolKeys(KeyEncryption encryption, EntityManager em, LabsConfig config) {
        this.encryption = encryption;
        this.em = em;
        this.settings = config.lti();
    }

    void onStart(@Observes StartupEvent ignored) {
        current = QuarkusTransaction.requiringNew().call(this::ensureCurrent);
    }

    /** {@code claims} signed with the current key: RS256, its {@code kid} in the header; the compact serialization. */
    public String sign(JWTClaimsSet claims) {
        RSAKey key = currentKey();
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("Cannot sign with the LTI tool key " + key.getKeyID(), e);
        }
        return jwt.serialize();
    }

    /** The public keys to publish: the current one and those retired less than {@code labs.lti.key-overlap} ago. */
    public JWKSet publicKeys() {
        Instant now = Instant.now();
        List<ToolKey> keys = QuarkusTransaction.joiningExisting().call(() -> ToolKey.<ToolKey>list("order by createdAt desc"));
        return new JWKSet(keys.stream().filter(k -> k.published(now)).map(k -> parsePublic(k.publicJwk)).toList());
    }

    /** Every key that is or was published, newest first. */
    public List<KeyInfo> keys() {
        Instant now = Instant.now();
        return QuarkusTransaction.joiningExisting().call(() -> ToolKey.<ToolKey>list("order by createdAt desc")).stream()
                .filter(k -> k.published(now)).map(ToolKeys::info).toList();
    }

    /** A new current key; the previous one stays published for {@code labs.lti.key-overlap}. */
    public List<KeyInfo> rotate() {
        current = QuarkusTransaction.requiringNew().call(() -> {
            lock();
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            for (ToolKey old : ToolKey.<ToolKey>list("retiredAt is null")) {
                old.retiredAt = now;
                old.publishUntil = now.plus(settings.keyOverlap());
                LOG.infof("LTI tool key %s retired; its public key stays in /lti/jwks until %s", old.kid, old.publishUntil);
            }
            em.flush();
            return create();
        });
        return keys();
    }

    private RSAKey currentKey() {
        Loaded loaded = current;
        if (loaded == null || loaded.loadedAt().plus(RELOAD).isBefore(Instant.now())) {
            loaded = QuarkusTransaction.requiringNew().call(this::ensureCurrent);
            current = loaded;
        }
        return loaded.key();
    }

    /** The current key, made if there is none (the first start), under the lock so that two replicas make one. */
    private Loaded ensureCurrent() {
        ToolKey stored = ToolKey.find("retiredAt is null").firstResult();
        if (stored != null) {
            try {
                return new Loaded(privateKey(stored), Instant.now());
            } catch (IllegalStateException e) {
                if (!encryption.sandboxKey()) {
                    throw e;
                }
                // The sandbox's key-encryption key is made per start: a key stored by an earlier start is unreadable.
                LOG.warnf("SANDBOX MODE: LTI tool key %s was encrypted by an earlier start's key; making a new one "
                        + "(set labs.lti.key-encryption-key to keep keys across restarts)", stored.kid);
            }
        }
        lock();
        stored = ToolKey.find("retiredAt is null").firstResult();
        if (stored != null) {
            try {
                return new Loaded(privateKey(stored), Instant.now());
            } catch (IllegalStateException e) {
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                stored.retiredAt = now;
                stored.publishUntil = now.plus(settings.keyOverlap());
                em.flush();
            }
        }
        return create();
    }

    private void lock() {
        em.createNativeQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(:k)) l").setParameter("k", LOCK).getSingleResult();
    }

    private Loaded create() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            String kid = UUID.randomUUID().toString();
            RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic()).privateKey((RSAPrivateKey) pair.getPrivate())
                    .keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).build();
            var stored = new ToolKey();
            stored.kid = kid;
            stored.publicJwk = key.toPublicJWK().toJSONString();
            byte[] pkcs8 = pair.getPrivate().getEncoded();
            stored.privateKeyEncrypted = encryption.encrypt(kid, pkcs8);
            Arrays.fill(pkcs8, (byte) 0);
            stored.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            stored.persist();
            LOG.infof("LTI tool key %s made (RSA 2048, RS256); its public key is in /lti/jwks", kid);
            return new Loaded(key, Instant.now());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private RSAKey privateKey(ToolKey stored) {
        byte[] pkcs8 = encryption.decrypt(stored.kid, stored.privateKeyEncrypted);
        try {
            var privateKey = (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new RSAKey.Builder(parsePublic(stored.publicJwk).toRSAKey()).privateKey(privateKey).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The LTI tool key " + stored.kid + " is not a valid RSA key");
        } finally {
            Arrays.fill(pkcs8, (byte) 0);
        }
    }

    private static JWK parsePublic(String json) {
        try {
            return JWK.parse(json).toPublicJWK();
        } catch (ParseException e) {
            throw new IllegalStateException("A stored LTI public key is not a JWK", e);
        }
    }

    private static KeyInfo info(ToolKey k) {
        return new KeyInfo(k.kid, k.createdAt, k.retiredAt, k.current() ? null : k.publishUntil, k.current());
    }
}
