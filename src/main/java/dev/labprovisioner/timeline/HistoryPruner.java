package dev.labprovisioner.timeline;

import dev.labprovisioner.config.LabsConfig;
import dev.labprovisioner.database.DatabaseAvailability;
import dev.labprovisioner.database.DatabaseOutages;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * Keeps the per-event history from growing for ever: once a lab has been DELETED for {@code labs.history.keep},
 * its timeline, its validation history and its data baseline go. The lab row, its state changes and its
 * checkpoint results (score, passedAt: what the LMS and instructors report) stay.
 */
@ApplicationScoped
public class HistoryPruner {

    private static final Logger LOG = Logger.getLogger(HistoryPruner.class);
    private static final String[] TABLES = {"lab_timeline", "checkpoint_validations", "data_baselines"};

    private final AgroalDataSource dataSource;
    private final LabsConfig config;
    private final DatabaseAvailability database;

    HistoryPruner(AgroalDataSource dataSource, LabsConfig config, DatabaseAvailability database) {
        this.database = database;
        this.dataSource = dataSource;
        this.config = config;
    }

    @Scheduled(every = "${labs.history.prune-interval:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public void prune() {
        if (!database.up()) {
            return; // the next run prunes what this one would have
        }
        try {
            pruneDeleted();
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                throw e;
            }
        }
    }

    private void pruneDeleted() {
        Timestamp before = Timestamp.from(Instant.now().minus(config.history().keep()));
        QuarkusTransaction.requiringNew().run(() -> {
            try (Connection c = dataSource.getConnection()) {
                long rows = 0;
                for (String table : TABLES) {
                    try (var delete = c.prepareStatement("DELETE FROM " + table + " WHERE lab_id IN "
                            + "(SELECT id FROM labs WHERE state = 'DELETED' AND deleted_at < ?)")) {
                        delete.setTimestamp(1, before);
                        rows += delete.executeUpdate();
                    }
                }
                if (rows > 0) {
                    LOG.infof("Pruned %d history rows of labs deleted before %s", rows, before.toInstant());
                }
            } catch (SQLException e) {
                throw new IllegalStateException("Could not prune lab history", e);
            }
        });
    }
}
