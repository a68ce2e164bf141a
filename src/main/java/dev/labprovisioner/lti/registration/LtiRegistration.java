package dev.labprovisioner.lti.registration;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A platform (an LMS) registered with this tool: who may launch it, and where the platform's endpoints are. */
@Entity
@Table(name = "lti_registrations")
public class LtiRegistration extends PanacheEntityBase {

    @Id
    public UUID id;
    public String name;
    /** The platform's {@code iss}. */
    public String issuer;
    /** Our client id at the platform: the id_token's {@code aud}, and the client assertions' {@code iss} and {@code sub}. */
    public String clientId;
    /** Space-separated. */
    public String deploymentIds;
    public String authLoginUrl;
    public String accessTokenUrl;
    public String jwksUrl;
    /** The lab a plain launch opens. */
    public String template;
    public Instant createdAt;

    public List<String> deploymentIdList() {
        return Arrays.asList(deploymentIds.split(" "));
    }

    public boolean hasDeployment(String deploymentId) {
        return deploymentId != null && deploymentIdList().contains(deploymentId);
    }

    public static Optional<LtiRegistration> byId(UUID id) {
        return Optional.ofNullable(findById(id));
    }

    /** The registrations of an issuer, oldest first (one per client id). */
    public static List<LtiRegistration> byIssuer(String issuer) {
        return list("issuer = ?1 order by createdAt, id", issuer);
    }
}
