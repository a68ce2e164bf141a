package dev.labprovisioner.lti.keys;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One of the tool's RSA key pairs: its public JWK in clear, its private key only encrypted ({@link KeyEncryption}). */
@Entity
@Table(name = "lti_tool_keys")
public class ToolKey extends PanacheEntityBase {

    @Id
    public String kid;
    public String publicJwk;
    public String privateKeyEncrypted;
    public Instant createdAt;
    /** Null while it is the current key (the one that signs). */
    public Instant retiredAt;
    /** A retired key's public half is published until then. */
    public Instant publishUntil;

    public boolean current() {
        return retiredAt == null;
    }

    public boolean published(Instant now) {
        return retiredAt == null || (publishUntil != null && publishUntil.isAfter(now));
    }

    @Override
    public String toString() {
        return "ToolKey[" + kid + "]"; // never the key material
    }
}
