package dev.labprovisioner.lti.launch;

import dev.labprovisioner.lti.LtiClaims;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Writes the {@code lti_launch} rows ({@link LtiLaunch}): the link of a learner's lab to their platform, which is where
 * the lab's scores go. One row per (registration, sub, context, template), made by the learner's launch or, before
 * they ever launch, by their course's roster; whichever comes later completes it.
 */
@ApplicationScoped
public class LabLinks {

    private final EntityManager em;

    LabLinks(EntityManager em) {
        this.em = em;
    }

    /** What a learner's launch said: it replaces whatever the row held (the platform's last word is the one that counts). */
    public record Launched(UUID registrationId, String sub, String contextId, String template, UUID labId, String resourceLinkId,
                           String agsLineitem, String agsLineitems, List<String> agsScopes, boolean agsClaim, String nrpsMembershipsUrl,
                           List<String> roles) {
    }

    @Transactional(Transactional.TxType.MANDATORY)
    void launched(Launched l) {
        Timestamp now = Timestamp.from(Instant.now());
        em.createNativeQuery("""
                        INSERT INTO lti_launch (registration_id, sub, context_id, template, lab_id, resource_link_id, ags_lineitem,
                                                ags_lineitems, ags_scopes, nrps_memberships_url, roles, created_at, updated_at)
                        VALUES (:registration, :sub, :context, :template, :lab, :link, :lineitem, :lineitems, :scopes, :nrps, :roles, :now, :now)
                        ON CONFLICT (registration_id, sub, context_id, template) DO UPDATE SET
                            lab_id = EXCLUDED.lab_id, resource_link_id = EXCLUDED.resource_link_id, ags_lineitem = EXCLUDED.ags_lineitem,
                            ags_lineitems = EXCLUDED.ags_lineitems, ags_scopes = EXCLUDED.ags_scopes,
                            nrps_memberships_url = EXCLUDED.nrps_memberships_url, roles = EXCLUDED.roles, updated_at = EXCLUDED.updated_at""")
                .setParameter("registration", l.registrationId()).setParameter("sub", l.sub()).setParameter("context", l.contextId())
                .setParameter("template", l.template()).setParameter("lab", l.labId())
                .setParameter("link", l.resourceLinkId())
                .setParameter("lineitem", l.agsLineitem())
                .setParameter("lineitems", l.agsLineitems())
                .setParameter("scopes", l.agsClaim() ? String.join(" ", l.agsScopes()) : null)
                .setParameter("nrps", l.nrpsMembershipsUrl())
                .setParameter("roles", String.join(" ", l.roles()))
                .setParameter("now", now)
                .executeUpdate();
    }

    /**
     * A lab the course's roster made (or found) for a learner who has not launched yet, linked to the context's line items
     * container: no resource link and no line item of its own, so its scores go to the line item found or made by
     * {@code resourceId} = the template. A row a launch wrote keeps what the launch said (its line item is the more
     * precise) and only follows the lab; a row an earlier roster wrote also takes the context's current container.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void fromRoster(UUID registrationId, String userId, String contextId, String template, UUID labId, String agsLineitems,
                           List<String> agsScopes) {
        Timestamp now = Timestamp.from(Instant.now());
        em.createNativeQuery("""
                        INSERT INTO lti_launch (registration_id, sub, context_id, template, lab_id, ags_lineitems, ags_scopes, roles, created_at, updated_at)
                        VALUES (:registration, :sub, :context, :template, :lab, :lineitems, :scopes, :roles, :now, :now)
                        ON CONFLICT (registration_id, sub, context_id, template) DO UPDATE SET
                            lab_id = EXCLUDED.lab_id,
                            ags_lineitems = CASE WHEN lti_launch.resource_link_id IS NULL THEN EXCLUDED.ags_lineitems ELSE lti_launch.ags_lineitems END,
                            ags_scopes = CASE WHEN lti_launch.resource_link_id IS NULL THEN EXCLUDED.ags_scopes ELSE lti_launch.ags_scopes END,
                            updated_at = EXCLUDED.updated_at""")
                .setParameter("registration", registrationId).setParameter("sub", userId).setParameter("context", contextId)
                .setParameter("template", template).setParameter("lab", labId)
                .setParameter("lineitems", agsLineitems).setParameter("scopes", String.join(" ", agsScopes))
                .setParameter("roles", LtiClaims.ROLE_LEARNER) // the roster makes labs for active Learners only
                .setParameter("now", now)
                .executeUpdate();
    }
}
