package dev.labprovisioner.lab;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.template.LabTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** A learner's lab: what should exist in the cluster and how far it got. */
@Entity
@Table(name = "labs")
public class Lab extends PanacheEntityBase {

    @Id
    public UUID id;
    public String namespace;
    /** The API client that asked for it (its id), or {@code admin} for the bootstrap credential. */
    public String owner;
    public String learnerId;
    /** Empty when the caller gave none (so that the live-lab unique index holds). */
    public String courseId;
    public String template;
    public int templateVersion;
    @Enumerated(EnumType.STRING)
    public LabState state;
    public String failureReason;
    public Instant createdAt;
    public Instant updatedAt;
    public Instant provisioningStartedAt;
    public Instant objectsAppliedAt;
    public Instant readyAt;
    public Instant expiresAt;
    public Instant teardownRequestedAt;
    public Instant deletedAt;
    public int attempts;
    public Instant nextAttemptAt;
    /** Written only by the reconciler's lease queries, never by an entity update (which could steal a lease). */
    @Column(insertable = false, updatable = false)
    public String leaseOwner;
    @Column(insertable = false, updatable = false)
    public Instant leaseUntil;
    @Version
    public long version;

    /** A new lab as its row is first written (REQUESTED, due for the reconciler now). */
    public static Lab requested(UUID id, String owner, String learnerId, String courseId, LabTemplate template, Duration ttl) {
        var lab = new Lab();
        // The database keeps microseconds: the answer to the create must show what every later read shows.
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        lab.id = id;
        lab.namespace = LabNames.namespace(id);
        lab.owner = owner;
        lab.learnerId = learnerId;
        lab.courseId = courseId;
        lab.template = template.id();
        lab.templateVersion = template.version();
        lab.state = LabState.REQUESTED;
        lab.createdAt = now;
        lab.updatedAt = now;
        lab.expiresAt = now.plus(ttl);
        lab.nextAttemptAt = now;
        return lab;
    }
}
