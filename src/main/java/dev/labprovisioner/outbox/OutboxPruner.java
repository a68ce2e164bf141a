package dev.labprovisioner.outbox;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.database.DatabaseAvailability;
import dev.labprovisioner.database.DatabaseOutages;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * Keeps the outbox from growing for ever: an event delivered more than {@code labs.outbox.keep-delivered} ago goes,
 * with its attempts. What is not delivered (PENDING, or given up: FAILED) stays, to be sent or redelivered.
 */
@ApplicationScoped
public class OutboxPruner {

    private static final Logger LOG = Logger.getLogger(OutboxPruner.class);
    /** Rows per transaction: a large backlog goes in short transactions, not one long lock on the table. */
    static final int BATCH = 5_000;

    private final OutboxDeliveries deliveries;
    private final LabsConfig config;
    private final DatabaseAvailability database;

    OutboxPruner(OutboxDeliveries deliveries, LabsConfig config, DatabaseAvailability database) {
        this.deliveries = deliveries;
        this.config = config;
        this.database = database;
    }

    @Scheduled(every = "${labs.outbox.prune-interval:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public void prune() {
        if (!database.up()) {
            return; // the next run prunes what this one would have
        }
        try {
            pruneDelivered();
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                throw e;
            }
        }
    }

    private void pruneDelivered() {
        Instant before = Instant.now().minus(config.outbox().keepDelivered());
        long pruned = 0;
        int batch;
        do {
            batch = deliveries.pruneDelivered(before, BATCH);
            pruned += batch;
        } while (batch == BATCH);
        long events = 0;
        do {
            batch = deliveries.pruneOrphanEvents(before, BATCH);
            events += batch;
        } while (batch == BATCH);
        if (pruned > 0 || events > 0) {
            LOG.infof("Pruned %d outbox deliveries delivered before %s, and %d events left without one", pruned, before, events);
        }
    }
}
