package dev.labprovisioner.lab;

import java.util.EnumSet;
import java.util.Set;

/** REQUESTED → PROVISIONING → READY → TEARING_DOWN → DELETED, and FAILED (DESIGN §3). */
public enum LabState {
    REQUESTED, PROVISIONING, READY, TEARING_DOWN, DELETED, FAILED;

    /** States in which a lab counts for create idempotency; must match the index labs_live_natural_key. */
    public static final Set<LabState> LIVE = EnumSet.of(REQUESTED, PROVISIONING, READY);

    /** States the reconciler has work to do in. */
    public static final Set<LabState> IN_FLIGHT = EnumSet.of(REQUESTED, PROVISIONING, TEARING_DOWN);

    public boolean isLive() {
        return LIVE.contains(this);
    }
}
