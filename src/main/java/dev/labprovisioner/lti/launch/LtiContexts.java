package dev.labprovisioner.lti.launch;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.labprovisioner.lti.LtiClaims;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An LTI course (a platform's context) as its launches last described it: where its roster is (NRPS) and its line items
 * container (AGS). Written by every valid launch from the context, whoever launched (an instructor opening the tool
 * first is the usual case), so that the roster's labs can be made before any learner has launched.
 */
@ApplicationScoped
public class LtiContexts {

    private final EntityManager em;

    LtiContexts(EntityManager em) {
        this.em = em;
    }

    /**
     * What is recorded of a context. {@code agsScopes} empty when no launch carried the AGS claim; {@code template} null
     * when no resource-link launch has named one yet.
     */
    public record Context(UUID registrationId, String contextId, String nrpsMembershipsUrl, String agsLineitems, List<String> agsScopes,
                          String template, Instant updatedAt) {
    }

    /** The services a launch's claims name for its context. */
    record Services(String nrpsMembershipsUrl, boolean agsClaim, String agsLineitems, List<String> agsScopes) {

        static Services of(JWTClaimsSet claims) {
            Map<String, Object> ags = LaunchService.object(claims, LtiClaims.AGS_ENDPOINT);
            Map<String, Object> nrps = LaunchService.object(claims, LtiClaims.NRPS);
            return new Services(nrps.get("context_memberships_url") instanceof String s ? s : null, !ags.isEmpty(),
                    ags.get("lineitems") instanceof String s ? s : null, LaunchService.strings(ags.get("scope")));
        }
    }

    /**
     * Records what a launch said of its context. A claim the launch lacks leaves what an earlier one said (an LMS may send
     * NRPS with some message types only); an AGS claim replaces the container and scopes together. A null {@code template}
     * (a deep-linking request) leaves the one recorded.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    void record(UUID registrationId, String contextId, String template, Services services) {
        em.createNativeQuery("""
                        INSERT INTO lti_contexts (registration_id, context_id, nrps_memberships_url, ags_lineitems, ags_scopes, template, updated_at)
                        VALUES (:registration, :context, :nrps, :lineitems, :scopes, :template, :now)
                        ON CONFLICT (registration_id, context_id) DO UPDATE SET
                            nrps_memberships_url = COALESCE(EXCLUDED.nrps_memberships_url, lti_contexts.nrps_memberships_url),
                            ags_lineitems = CASE WHEN :ags THEN EXCLUDED.ags_lineitems ELSE lti_contexts.ags_lineitems END,
                            ags_scopes = CASE WHEN :ags THEN EXCLUDED.ags_scopes ELSE lti_contexts.ags_scopes END,
                            template = COALESCE(EXCLUDED.template, lti_contexts.template),
                            updated_at = EXCLUDED.updated_at""")
                .setParameter("registration", registrationId).setParameter("context", contextId)
                .setParameter("nrps", services.nrpsMembershipsUrl())
                .setParameter("lineitems", services.agsClaim() ? services.agsLineitems() : null)
                .setParameter("scopes", services.agsClaim() ? String.join(" ", services.agsScopes()) : null)
                .setParameter("ags", services.agsClaim())
                .setParameter("template", template)
                .setParameter("now", Timestamp.from(Instant.now()))
                .executeUpdate();
    }

    @Transactional(Transactional.TxType.REQUIRES_NEW)
    @SuppressWarnings("unchecked")
    public Optional<Context> find(UUID registrationId, String contextId) {
        List<Object[]> rows = em.createNativeQuery("""
                        SELECT nrps_memberships_url, ags_lineitems, ags_scopes, template, updated_at FROM lti_contexts
                        WHERE registration_id = :registration AND context_id = :context""")
                .setParameter("registration", registrationId).setParameter("context", contextId).getResultList();
        return rows.stream().findFirst().map(r -> new Context(registrationId, contextId, (String) r[0], (String) r[1],
                r[2] == null || ((String) r[2]).isBlank() ? List.of() : List.of(((String) r[2]).split(" ")), (String) r[3], instant(r[4])));
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        return ((Timestamp) value).toInstant();
    }
}
