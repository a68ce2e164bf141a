package dev.labprovisioner.admin;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One admin action in the audit log. */
@Entity
@Table(name = "audit_log")
public class AuditEntry extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public Instant at;
    /** The credential that acted: an API client's id, or {@code admin} for the bootstrap token. */
    public String actor;
    public String actorName;
    @Enumerated(EnumType.STRING)
    public AuditAction action;
    /** A client id, a course id or a lab id. */
    public String target;
    public String detail;
}
