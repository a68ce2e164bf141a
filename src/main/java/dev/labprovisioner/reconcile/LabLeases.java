package dev.labprovisioner.reconcile;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Row leases on the labs table: a replica works on a lab only while it holds the lab's lease, so any
 * number of replicas can share the work, and a crashed one's labs are taken over when its leases run out.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRES_NEW)
public class LabLeases {

    private final EntityManager em;

    LabLeases(EntityManager em) {
        this.em = em;
    }

    /** Labs whose next step is due and that nobody holds, oldest first. */
    @SuppressWarnings("unchecked")
    public List<UUID> due(int limit) {
        return em.createNativeQuery("""
                        SELECT id FROM labs
                        WHERE state IN ('REQUESTED', 'PROVISIONING', 'TEARING_DOWN') AND next_attempt_at <= now()
                          AND (lease_until IS NULL OR lease_until < now())
                        ORDER BY next_attempt_at LIMIT :limit""", UUID.class)
                .setParameter("limit", limit).getResultList();
    }

    /** Takes the lab's lease if it has work and nobody (alive) holds it; never waits for a row another replica locks. */
    public boolean claim(UUID id, String owner, Duration lease) {
        return em.createNativeQuery("""
                        UPDATE labs SET lease_owner = :owner, lease_until = :until
                        WHERE id = (SELECT id FROM labs WHERE id = :id
                                      AND state IN ('REQUESTED', 'PROVISIONING', 'TEARING_DOWN')
                                      AND (lease_until IS NULL OR lease_until < now())
                                    FOR UPDATE SKIP LOCKED)""")
                .setParameter("owner", owner).setParameter("until", Instant.now().plus(lease)).setParameter("id", id)
                .executeUpdate() == 1;
    }

    /** Extends a lease this owner still holds; false if it lost it (it must then stop working on the lab). */
    public boolean renew(UUID id, String owner, Duration lease) {
        return em.createNativeQuery("UPDATE labs SET lease_until = :until WHERE id = :id AND lease_owner = :owner")
                .setParameter("until", Instant.now().plus(lease)).setParameter("id", id).setParameter("owner", owner)
                .executeUpdate() == 1;
    }

    /** Frees the leases an earlier run of this replica ({@code replica/...}) held, whenever they would run out. */
    public int releaseEarlierRuns(String replica, String currentOwner) {
        String prefix = replica + "/";
        return em.createNativeQuery("""
                        UPDATE labs SET lease_owner = NULL, lease_until = NULL
                        WHERE lease_owner IS NOT NULL AND left(lease_owner, length(:prefix)) = :prefix AND lease_owner <> :owner""")
                .setParameter("prefix", prefix).setParameter("owner", currentOwner).executeUpdate();
    }

    public void release(UUID id, String owner) {
        em.createNativeQuery("UPDATE labs SET lease_owner = NULL, lease_until = NULL WHERE id = :id AND lease_owner = :owner")
                .setParameter("id", id).setParameter("owner", owner).executeUpdate();
    }
}
