package dev.labprovisioner.reconcile;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Row leases on the labs table: a replica works on a lab only while it holds the lab's lease, so any
 * number of replicas can share the work, and a crashed one's labs are taken over when its leases run out.
 * Lease times are the database's clock, the one every replica compares them with.
 */
@ApplicationScoped
@Transactional(Transactional.TxType.REQUIRES_NEW)
public class LabLeases {

    private final EntityManager em;

    LabLeases(EntityManager em) {
        this.em = em;
    }

    /**
     * Labs whose next step is due and that nobody holds, oldest first; and at once, whenever it was due, a lab whose
     * lease ran out without being released (its holder died mid-pass).
     */
    @SuppressWarnings("unchecked")
    public List<UUID> due(int limit) {
        return em.createNativeQuery("""
                        SELECT id FROM labs
                        WHERE state IN ('REQUESTED', 'PROVISIONING', 'TEARING_DOWN')
                          AND (lease_until IS NULL AND next_attempt_at <= now() OR lease_until < now())
                        ORDER BY next_attempt_at LIMIT :limit""", UUID.class)
                .setParameter("limit", limit).getResultList();
    }

    /** Every lab with work left that nobody holds, whenever its next step is due. */
    @SuppressWarnings("unchecked")
    public List<UUID> unheld() {
        return em.createNativeQuery("""
                        SELECT id FROM labs
                        WHERE state IN ('REQUESTED', 'PROVISIONING', 'TEARING_DOWN') AND (lease_until IS NULL OR lease_until < now())
                        ORDER BY next_attempt_at""", UUID.class).getResultList();
    }

    /** Takes the lab's lease if it has work and nobody (alive) holds it; never waits for a row another replica locks. */
    public boolean claim(UUID id, String owner, Duration lease) {
        return em.createNativeQuery("""
                        UPDATE labs SET lease_owner = :owner, lease_until = clock_timestamp() + :millis * interval '1 millisecond'
                        WHERE id = (SELECT id FROM labs WHERE id = :id
                                      AND state IN ('REQUESTED', 'PROVISIONING', 'TEARING_DOWN')
                                      AND (lease_until IS NULL OR lease_until < now())
                                    FOR UPDATE SKIP LOCKED)""")
                .setParameter("owner", owner).setParameter("millis", lease.toMillis()).setParameter("id", id)
                .executeUpdate() == 1;
    }

    /**
     * The heartbeat: extends, in one statement, the leases among {@code ids} that this owner still holds and that have
     * not run out, and returns those. A lease that ran out is lost even if nobody has taken it yet.
     */
    @SuppressWarnings("unchecked")
    public List<UUID> renew(Collection<UUID> ids, String owner, Duration lease) {
        return em.createNativeQuery("""
                        UPDATE labs SET lease_until = clock_timestamp() + :millis * interval '1 millisecond'
                        WHERE id IN (:ids) AND lease_owner = :owner AND lease_until > clock_timestamp()
                        RETURNING id""", UUID.class)
                .setParameter("millis", lease.toMillis()).setParameter("ids", ids)
                .setParameter("owner", owner).getResultList();
    }

    /**
     * In the caller's transaction: true, and the row locked until it commits, if this owner holds the lab's lease and
     * it has not run out. No other replica can take the lease meanwhile, so what the caller writes is the holder's.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean lockIfHeld(UUID id, String owner) {
        return !em.createNativeQuery("""
                        SELECT id FROM labs WHERE id = :id AND lease_owner = :owner AND lease_until > clock_timestamp()
                        FOR UPDATE""")
                .setParameter("id", id).setParameter("owner", owner).getResultList().isEmpty();
    }

    /**
     * Frees the leases an earlier run of this replica ({@code replica/...}) held, whenever they would run out, and makes
     * their labs due now: that run died mid-pass.
     */
    public int releaseEarlierRuns(String replica, String currentOwner) {
        String prefix = replica + "/";
        return em.createNativeQuery("""
                        UPDATE labs SET lease_owner = NULL, lease_until = NULL, next_attempt_at = LEAST(next_attempt_at, now())
                        WHERE lease_owner IS NOT NULL AND left(lease_owner, length(:prefix)) = :prefix AND lease_owner <> :owner""")
                .setParameter("prefix", prefix).setParameter("owner", currentOwner).executeUpdate();
    }

    public void release(UUID id, String owner) {
        em.createNativeQuery("UPDATE labs SET lease_owner = NULL, lease_until = NULL WHERE id = :id AND lease_owner = :owner")
                .setParameter("id", id).setParameter("owner", owner).executeUpdate();
    }
}
