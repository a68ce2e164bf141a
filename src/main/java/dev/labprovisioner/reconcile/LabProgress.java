package dev.labprovisioner.reconcile;

import dev.labprovisioner.lab.Lab;
import dev.labprovisioner.lab.LabHistory;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.lab.VersionConflicts;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Records what the reconciler did, each in its own transaction, and only if nobody changed the lab since
 * the reconciler read it (optimistic version): a delete or an expiry that lands meanwhile wins. And only while
 * this replica holds the lab's lease: a replica that lost it (it could not renew in time) records nothing more.
 */
@ApplicationScoped
public class LabProgress {

    private static final Logger LOG = Logger.getLogger(LabProgress.class);
    private final LabHistory history;
    private final HeldLeases held;
    private final LabLeases leases;

    LabProgress(LabHistory history, HeldLeases held, LabLeases leases) {
        this.history = history;
        this.held = held;
        this.leases = leases;
    }

    public Lab load(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> Lab.<Lab>findById(id));
    }

    /** Applies {@code change} to the lab as read at {@code seen}; false if it changed meanwhile. */
    public boolean update(Lab seen, Consumer<Lab> change) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                if (!held.holds(seen.id) || !leases.lockIfHeld(seen.id, held.owner())) {
                    LOG.warnf("Lab %s: this replica no longer holds its lease; what its pass did is left to the lease's holder", seen.id);
                    return false;
                }
                Lab lab = Lab.findById(seen.id);
                if (lab == null || lab.version != seen.version) {
                    return false;
                }
                change.accept(lab);
                lab.updatedAt = Instant.now();
                return true;
            });
        } catch (RuntimeException e) {
            if (!VersionConflicts.isVersionConflict(e)) {
                throw e;
            }
            LOG.debugf("Lab %s changed while being reconciled; it will be looked at again", seen.id);
            return false;
        }
    }

    public boolean transition(Lab seen, LabState to, String cause, Consumer<Lab> change) {
        return update(seen, lab -> {
            change.accept(lab);
            history.transition(lab, to, cause);
        });
    }
}
