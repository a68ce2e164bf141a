package dev.labprovisioner.reconcile;

import dev.labprovisioner.database.DatabaseAvailability;
import dev.labprovisioner.database.DatabaseOutages;
import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabService;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.lab.VersionConflicts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Page;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;

/** Sends labs past their {@code expiresAt} to teardown. */
@ApplicationScoped
public class ExpiryReaper {

    private static final Logger LOG = Logger.getLogger(ExpiryReaper.class);
    private static final EnumSet<LabState> EXPIRABLE = EnumSet.of(LabState.REQUESTED, LabState.PROVISIONING, LabState.READY, LabState.FAILED);

    private final LabService labs;
    private final DatabaseAvailability database;

    ExpiryReaper(LabService labs, DatabaseAvailability database) {
        this.labs = labs;
        this.database = database;
    }

    @Scheduled(every = "${labs.reaper.interval:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    public void reap() {
        if (!database.up()) {
            return; // the first pass after the database is back expires what expired meanwhile
        }
        try {
            reapExpired();
        } catch (RuntimeException e) {
            if (!DatabaseOutages.isOutage(e)) {
                throw e;
            }
        }
    }

    private void reapExpired() {
        List<UUID> expired = QuarkusTransaction.requiringNew().call(() -> Lab.<Lab>find(
                "state in ?1 and expiresAt < ?2 order by expiresAt", EXPIRABLE, Instant.now()).page(Page.ofSize(200)).list()
                .stream().map(l -> l.id).toList());
        for (UUID id : expired) {
            try {
                // One transaction per lab: a lab another replica (or a delete) changes meanwhile does not hold up the rest.
                QuarkusTransaction.requiringNew().run(() -> {
                    Lab lab = Lab.findById(id);
                    if (lab != null && EXPIRABLE.contains(lab.state) && lab.expiresAt.isBefore(Instant.now())) {
                        labs.requestTeardown(lab, "expired at " + lab.expiresAt);
                    }
                });
            } catch (RuntimeException e) {
                if (DatabaseOutages.isOutage(e)) {
                    throw e;
                } else if (VersionConflicts.isVersionConflict(e)) {
                    LOG.debugf("Lab %s changed while expiring; the next pass will see it", id);
                } else {
                    LOG.warnf(e, "Could not expire lab %s; the next pass will try again", id);
                }
            }
        }
    }
}
