package dev.labprovisioner.lti.launch;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A lab link: learner {@code sub} of {@code contextId} has a lab of {@code template} through a registration. Written on
 * every successful learner launch with what the platform said last: the lab, the AGS endpoint claim (where grades go) and
 * the NRPS claim; or, before the learner's first launch, by their course's roster ({@link LabLinks#fromRoster}: no
 * resource link, no line item, the context's line items container). Written only through {@link LabLinks}.
 */
@Entity
@Table(name = "lti_launch")
public class LtiLaunch extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    public UUID registrationId;
    public String sub;
    /** '' when the launch had no context. */
    public String contextId;
    public String template;
    public UUID labId;
    public String resourceLinkId;
    /** AGS: the line item of this resource link, when the platform gave one. */
    public String agsLineitem;
    /** AGS: the context's line items container, when the platform gave it. */
    public String agsLineitems;
    /** AGS: the scopes granted, space-separated. */
    public String agsScopes;
    /** NRPS: the context's memberships URL. */
    public String nrpsMembershipsUrl;
    /** The launch's roles, space-separated. */
    public String roles;
    public Instant createdAt;
    public Instant updatedAt;

    public List<String> agsScopeList() {
        return agsScopes == null || agsScopes.isBlank() ? List.of() : List.of(agsScopes.split(" "));
    }

    public static Optional<LtiLaunch> find(UUID registrationId, String sub, String contextId, String template) {
        return find("registrationId = ?1 and sub = ?2 and contextId = ?3 and template = ?4", registrationId, sub, contextId, template)
                .firstResultOptional();
    }

    /** The links to a lab (normally one). */
    public static List<LtiLaunch> forLab(UUID labId) {
        return list("labId = ?1 order by id", labId);
    }
}
