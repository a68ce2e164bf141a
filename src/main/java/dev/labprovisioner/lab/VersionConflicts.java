package dev.labprovisioner.lab;

import jakarta.persistence.OptimisticLockException;
import org.hibernate.StaleStateException;

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
}
