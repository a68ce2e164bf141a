package dev.labprovisioner.lab;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** One state change of a lab, with its cause. */
@Entity
@Table(name = "lab_events")
public class LabEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID labId;
    public Instant at;
    @Enumerated(EnumType.STRING)
    public LabState fromState;
    @Enumerated(EnumType.STRING)
    public LabState toState;
    public String cause;

    public static List<LabEvent> history(UUID labId) {
        return list("labId = ?1 order by id", labId);
    }
}
