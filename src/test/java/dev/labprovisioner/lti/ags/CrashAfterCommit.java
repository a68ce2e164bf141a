package dev.labprovisioner.lti.ags;

import dev.labprovisioner.checkpoint.CheckpointsValidated;
import dev.labprovisioner.reconcile.HeldLeases;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.EntityManager;

import java.util.UUID;

/**
 * The state a crash leaves between a score's commit and its delivery, made exactly: in the transaction that records the
 * armed lab's validation, after its score was written to the outbox, the score's delivery is leased to an earlier run
 * of this replica (as if that run had claimed it and died mid-send). This run cannot send it until a restart frees it.
 */
@ApplicationScoped
public class CrashAfterCommit {

    static volatile UUID armedLab;

    private final EntityManager em;
    private final HeldLeases replica;

    CrashAfterCommit(EntityManager em, HeldLeases replica) {
        this.em = em;
        this.replica = replica;
    }

    void validated(@Observes @Priority(Interceptor.Priority.APPLICATION + 900) CheckpointsValidated validation) {
        if (validation.lab().id.equals(armedLab)) {
            em.createNativeQuery("UPDATE outbox_deliveries SET lease_owner = :owner, lease_until = now() + interval '1 hour' "
                            + "WHERE channel = :channel AND ordering_key LIKE :key AND state = 'PENDING'")
                    .setParameter("owner", replica.replica() + "/dead-run").setParameter("channel", ScoreEvents.CHANNEL)
                    .setParameter("key", ScoreEvents.CHANNEL + ":%:" + validation.lab().id).executeUpdate();
        }
    }
}
