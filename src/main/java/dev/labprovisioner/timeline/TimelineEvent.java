package dev.labprovisioner.timeline;

import java.time.Instant;
import java.util.UUID;

/**
 * One thing the service saw happen to a lab's pod, PVC or StatefulSet. {@code seq} orders events as they
 * were seen; {@code fingerprint} is a digest of a pod's containers (or a StatefulSet's pod template), so a
 * rolling update shows as pods changing fingerprint. {@code late}: a creation the service only saw well after it
 * happened (it was down, or a watch re-listed), whose place in the order is unknown.
 */
public record TimelineEvent(long seq, UUID labId, Kind kind, String name, String uid, Integer ordinal, Type event,
                            Instant at, String fingerprint, Integer replicas, String policy, boolean late) {

    public enum Kind { POD, CLAIM, STATEFULSET }

    public enum Type {
        /** First seen (created). */
        CREATED,
        /** Pod became Ready; claim became Bound. */
        READY,
        /** Pod stopped being Ready. */
        UNREADY,
        /** Deletion started (pod terminating). */
        TERMINATING,
        /** Gone from the API. */
        DELETED,
        /** StatefulSet's replicas changed. */
        SCALED,
        /** StatefulSet's pod template changed. */
        UPDATED
    }

    public boolean is(Kind k, String objectName, Type type) {
        return kind == k && name.equals(objectName) && event == type;
    }
}
