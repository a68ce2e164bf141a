package dev.labprovisioner.cluster;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/** What the cluster shows of a lab's workload, as the informers last saw it. */
public record LabObservation(boolean statefulSetPresent, int desiredReplicas, int readyReplicas, Optional<String> failure) {

    /** Waiting reasons after which a pod will not start without someone changing something. */
    private static final Set<String> IMAGE_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull");

    public boolean ready() {
        return statefulSetPresent && desiredReplicas > 0 && readyReplicas >= desiredReplicas;
    }

    public static LabObservation of(StatefulSet sts, Collection<Pod> pods) {
        if (sts == null) {
            return new LabObservation(false, 0, 0, Optional.empty());
        }
        int desired = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
        int ready = sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null ? 0 : sts.getStatus().getReadyReplicas();
        return new LabObservation(true, desired, ready, pods.stream().map(LabObservation::failureOf).flatMap(Optional::stream).findFirst());
    }

    /** A pod is Ready when its Ready condition is True (what Services and StatefulSets go by). */
    public static boolean ready(Pod pod) {
        return pod.getStatus() != null && pod.getMetadata().getDeletionTimestamp() == null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The name of the claim a pod's first PersistentVolumeClaim volume uses, if it has one. */
    public static Optional<String> claimOf(Pod pod) {
        return pod.getSpec() == null ? Optional.empty() : pod.getSpec().getVolumes().stream().filter(v -> v.getPersistentVolumeClaim() != null)
                .map(v -> v.getPersistentVolumeClaim().getClaimName()).findFirst();
    }

    static Optional<String> failureOf(Pod pod) {
        String name = pod.getMetadata().getName();
        if (pod.getStatus() == null) {
            return Optional.empty();
        }
        for (var status : pod.getStatus().getContainerStatuses()) {
            var waiting = status.getState() == null ? null : status.getState().getWaiting();
            if (waiting != null && IMAGE_FAILURES.contains(waiting.getReason())) {
                return Optional.of("Pod " + name + " cannot start: image '" + status.getImage() + "' cannot be pulled ("
                        + waiting.getReason() + (waiting.getMessage() == null ? "" : ": " + waiting.getMessage()) + ")");
            }
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            // A missing or unbound claim is a wait, not a verdict: the scheduler retries once the claim is there.
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason())
                    && (c.getMessage() == null || !c.getMessage().contains("persistentvolumeclaim"))) {
                return Optional.of("Pod " + name + " cannot be scheduled: " + (c.getMessage() == null ? "no node fits it" : c.getMessage()));
            }
        }
        return Optional.empty();
    }
}
