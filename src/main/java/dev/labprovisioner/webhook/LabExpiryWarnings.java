package dev.labprovisioner.webhook;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.database.DatabaseAvailability;
import dev.labprovisioner.database.DatabaseOutages;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.outbox.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * {@code lab.expiring}: a READY lab whose {@code expiresAt} is less than {@code labs.webhooks.expiring-before} away is
 * announced once per expiry. Each lab is claimed in {@code lab_expiry_warnings} (INSERT ... ON CONFLICT, after the lab's
 * outbox order lock) in the transaction that writes the event, so two replicas scanning at once send it once, and a
 * rollback sends nothing and leaves it armed. An extend changes {@code expiresAt}, which re-arms it.
 */
@ApplicationScoped
public class LabExpiryWarnings {

    private static final Logger LOG = Logger.getLogger(LabExpiryWarnings.class);
    private static final int BATCH = 200;

    private final EntityManager em;
    private final Outbox outbox;
    private final WebhookEvents events;
    private final DatabaseAvailability database;
    private final Duration before;

    LabExpiryWarnings(EntityManager em, Outbox outbox, WebhookEvents events, DatabaseAvailability database, LabsConfig config) {
        this.em = em;
        this.outbox = outbox;
        this.events = events;
        this.database = database;
        this.before = config.webhooks().expiringBefore();
    }

    @Scheduled(every = "${labs.webhooks.expiring-scan-interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void tick() {
        if (!database.up()) {
            return; // the first scan after the database is back warns about what entered the window meanwhile
        }
        try {
            scan();
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                LOG.errorf(e, "Looking for labs about to expire failed; the next scan tries again");
            }
        }
    }

    /** One scan; returns how many warnings this call wrote. Safe to run on every replica at once. */
    int scan() {
        int sent = 0;
        for (UUID id : candidates()) {
            if (QuarkusTransaction.requiringNew().call(() -> warn(id))) {
                sent++;
            }
        }
        return sent;
    }

    /** Labs in the window not yet warned about their current expiry, of owners with a subscription that wants it. */
    @SuppressWarnings("unchecked")
    private List<UUID> candidates() {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                        SELECT l.id FROM labs l
                        WHERE l.state = 'READY' AND l.expires_at > now() AND l.expires_at <= now() + :millis * interval '1 millisecond'
                          AND NOT EXISTS (SELECT 1 FROM lab_expiry_warnings w WHERE w.lab_id = l.id AND w.expires_at = l.expires_at)
                          AND EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.owner = l.owner AND s.disabled_at IS NULL
                                        AND (' ' || s.events || ' ') LIKE :wanted)
                        ORDER BY l.expires_at LIMIT :limit""", UUID.class)
                .setParameter("millis", before.toMillis()).setParameter("wanted", "% " + WebhookEventType.LAB_EXPIRING.type() + " %")
                .setParameter("limit", BATCH).getResultList());
    }

    private boolean warn(UUID id) {
        // The lab's outbox order first, as every writer of its events takes it; then the lab, skipped (for the next scan)
        // if a change holds it, so that this never waits for a row while holding the order lock.
        outbox.lockOrder(id.toString());
        boolean inWindow = !em.createNativeQuery("""
                        SELECT id FROM labs WHERE id = :id AND state = 'READY' AND expires_at > now()
                          AND expires_at <= now() + :millis * interval '1 millisecond'
                        FOR SHARE SKIP LOCKED""")
                .setParameter("id", id).setParameter("millis", before.toMillis()).getResultList().isEmpty();
        if (!inWindow) {
            return false;
        }
        int claimed = em.createNativeQuery("""
                        INSERT INTO lab_expiry_warnings (lab_id, expires_at, sent_at)
                        SELECT id, expires_at, clock_timestamp() FROM labs WHERE id = :id
                        ON CONFLICT (lab_id) DO UPDATE SET expires_at = EXCLUDED.expires_at, sent_at = EXCLUDED.sent_at
                        WHERE lab_expiry_warnings.expires_at IS DISTINCT FROM EXCLUDED.expires_at""")
                .setParameter("id", id).executeUpdate();
        if (claimed == 0) {
            return false; // another replica warned about this expiry
        }
        events.labExpiring(Lab.findById(id));
        return true;
    }
}
