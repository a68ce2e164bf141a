package dev.labprovisioner.lab;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.OptimisticLockException;
import org.hibernate.StaleStateException;

import java.util.function.Supplier;

/** Whether a failed transaction lost an optimistic-version race (someone changed the lab first). */
public final class VersionConflicts {

    private VersionConflicts() {
    }

    public static boolean isVersionConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof StaleStateException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs a change in its own transaction, again if the reconciler (or another request) changed a lab it
     * touches in between: the optimistic version says so at commit.
     */
    public static <T> T retryingInNewTransaction(Supplier<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(change::get);
            } catch (RuntimeException e) {
                if (attempt >= 5 || !isVersionConflict(e)) {
                    throw e;
                }
            }
        }
    }
}
