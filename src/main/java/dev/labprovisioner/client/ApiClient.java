package dev.labprovisioner.client;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/** A credential of an LMS or an instructor tool. The secret itself is never stored. */
@Entity
@Table(name = "api_clients")
public class ApiClient extends PanacheEntityBase {

    @Id
    public UUID id;
    public String name;
    /** Space-separated scopes. */
    public String scopes;
    public String secretHash;
    public Instant createdAt;
    public String createdBy;
    public Instant revokedAt;

    public List<String> scopeList() {
        return Arrays.asList(scopes.split(" "));
    }
}
