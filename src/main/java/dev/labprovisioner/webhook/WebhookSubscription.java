package dev.labprovisioner.webhook;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** An API client's webhook endpoint: where to send which events, signed with a secret kept encrypted. */
@Entity
@Table(name = "webhook_subscriptions")
public class WebhookSubscription extends PanacheEntityBase {

    @Id
    public UUID id;
    /** The API client that made it (its id), or {@code admin}: it receives the events of that owner's labs. */
    public String owner;
    public String url;
    /** Event types, space-separated. */
    public String events;
    /** See {@link WebhookSecrets}. */
    public String secretEncrypted;
    /** After a rotation: the secret before it, which also signs until {@link #previousSecretUntil}. */
    public String previousSecretEncrypted;
    public Instant previousSecretUntil;
    public Instant createdAt;
    public Instant disabledAt;
    public String disabledReason;

    public List<String> eventTypes() {
        return Arrays.asList(events.split(" "));
    }

    /** Whether the previous secret still signs at {@code now}. */
    public boolean previousSecretSigns(Instant now) {
        return previousSecretEncrypted != null && previousSecretUntil != null && now.isBefore(previousSecretUntil);
    }

    public boolean receives(String type) {
        return disabledAt == null && eventTypes().contains(type);
    }
}
