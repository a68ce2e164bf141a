package dev.labprovisioner.database;

import dev.labprovisioner.config.LabsConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Whether the service's own PostgreSQL can be reached, as a probe finds every {@code labs.database.probe-interval}:
 * the one place that says so. It logs one line when the database goes away and one when it is back (not a line per
 * failed request), makes readiness DOWN meanwhile ({@link DatabaseReadiness}), and when the database is back drops the
 * pool's connections made before the outage and tells whoever has work to catch up on ({@link DatabaseRecovered}).
 */
@ApplicationScoped
public class DatabaseAvailability {

    private static final Logger LOG = Logger.getLogger(DatabaseAvailability.class);

    private final AgroalDataSource dataSource;
    private final Event<DatabaseRecovered> recovered;
    private final int validationSeconds;
    private volatile boolean up = true;
    private volatile long downSince;

    DatabaseAvailability(AgroalDataSource dataSource, Event<DatabaseRecovered> recovered, LabsConfig config) {
        this.dataSource = dataSource;
        this.recovered = recovered;
        this.validationSeconds = (int) Math.max(1, config.database().probeInterval().toSeconds());
    }

    public boolean up() {
        return up;
    }

    @Scheduled(every = "${labs.database.probe-interval:1s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void probe() {
        try (Connection c = dataSource.getConnection()) {
            if (c.isValid(validationSeconds)) {
                back();
            } else {
                // A pooled connection the outage broke: it goes, and the next probe asks for a new one.
                dataSource.flush(AgroalDataSource.FlushMode.INVALID);
                lost("a connection to it no longer answers");
            }
        } catch (SQLException e) {
            if (DatabaseOutages.isOutage(e) && !busy(e)) {
                lost(DatabaseOutages.brief(e));
            } else if (!busy(e)) {
                LOG.warnf("The database probe failed: %s", DatabaseOutages.brief(e));
            }
        }
    }

    /** Every pooled connection in use and none returned in time: the database is busy, which is no outage. */
    private static boolean busy(SQLException e) {
        return e.getMessage() != null && e.getMessage().startsWith("Sorry, acquisition timeout") && e.getCause() == null;
    }

    private synchronized void lost(String why) {
        if (up) {
            up = false;
            downSince = System.nanoTime();
            // Connections made before the outage are dead: none of them is handed out again.
            dataSource.flush(AgroalDataSource.FlushMode.IDLE);
            LOG.warnf("The service's database cannot be reached (%s): readiness is DOWN, and API calls that need it are "
                    + "answered 503 with Retry-After until it is back", why);
        }
    }

    private void back() {
        Duration downFor;
        synchronized (this) {
            if (up) {
                return;
            }
            up = true;
            downFor = Duration.ofNanos(System.nanoTime() - downSince);
            dataSource.flush(AgroalDataSource.FlushMode.GRACEFUL);
        }
        LOG.infof("The service's database is reachable again after %d s", downFor.toSeconds());
        recovered.fire(new DatabaseRecovered(downFor));
    }
}
