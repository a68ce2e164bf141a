package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.timeline.TimelineEvent;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the scaling checks share: pods 0..n-1 Ready on their own Bound claims, and when each was created. */
final class PodOrder {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** Pod {@code ordinal} as it is now, with the timeline's creation event of that very pod (by UID). */
    record Replica(int ordinal, Pod pod, PersistentVolumeClaim claim, Optional<TimelineEvent> created) {
        String name() {
            return pod.getMetadata().getName();
        }

        Map<String, Object> evidence() {
            var e = new LinkedHashMap<String, Object>();
            e.put("pod", name());
            e.put("ordinal", ordinal);
            e.put("podUid", pod.getMetadata().getUid());
            e.put("claim", claim.getMetadata().getName());
            e.put("claimUid", claim.getMetadata().getUid());
            created.ifPresent(c -> e.put("createdAt", c.at().toString()));
            return e;
        }
    }

    /** Either the replicas, all Ready on their own Bound claims, or what stands in the way, in words. */
    record Found(List<Replica> replicas, String problem) {
        static Found problem(String problem) {
            return new Found(List.of(), problem);
        }

        boolean ok() {
            return problem == null;
        }
    }

    private PodOrder() {
    }

    static String time(TimelineEvent e) {
        return TIME.format(e.at());
    }

    /**
     * Pods 0..n-1 Ready, each mounting its own Bound {@code data-postgres-<i>}; otherwise the first thing
     * missing, in words ("2 of 3 replicas Ready: postgres-2 is Pending").
     */
    static Found replicas(LabEvidence lab, int n) {
        int ready = 0;
        String firstProblem = null;
        for (int i = 0; i < n; i++) {
            String name = LabNames.podName(i);
            if (lab.podReady(name)) {
                ready++;
            } else if (firstProblem == null) {
                firstProblem = lab.podState(name);
            }
        }
        if (firstProblem != null) {
            int desired = lab.statefulSet().map(s -> s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas()).orElse(0);
            String scaled = lab.statefulSet().isEmpty() ? " The StatefulSet " + LabNames.STATEFULSET + " does not exist."
                    : desired < n ? " The StatefulSet asks for " + desired + " replica" + (desired == 1 ? "" : "s") + "; scale it to " + n + "." : "";
            return Found.problem(ready + " of " + n + " replicas Ready: " + firstProblem + "." + scaled);
        }
        List<Replica> replicas = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Pod pod = lab.pod(LabNames.podName(i)).orElseThrow();
            String claimName = LabNames.claimName(i);
            if (!LabObservation.claimOf(pod).map(claimName::equals).orElse(false)) {
                return Found.problem(pod.getMetadata().getName() + " does not mount its own claim " + claimName + ".");
            }
            var claim = lab.claim(claimName);
            if (claim.isEmpty() || claim.get().getStatus() == null || !"Bound".equals(claim.get().getStatus().getPhase())) {
                return Found.problem("The claim " + claimName + " of " + pod.getMetadata().getName() + " is not Bound.");
            }
            // A creation seen late (the service was down) has no known place in the order: as if unseen.
            replicas.add(new Replica(i, pod, claim.get(), lab.timeline().created(pod.getMetadata().getUid()).filter(e -> !e.late())));
        }
        return new Found(replicas, null);
    }

    static List<Map<String, Object>> evidence(List<Replica> replicas) {
        return replicas.stream().map(Replica::evidence).toList();
    }
}
