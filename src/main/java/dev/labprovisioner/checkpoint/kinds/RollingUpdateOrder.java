package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.template.CheckpointDefinition;
import dev.labprovisioner.timeline.TimelineEvent;
import dev.labprovisioner.timeline.TimelineEvent.Kind;
import dev.labprovisioner.timeline.TimelineEvent.Type;
import dev.labprovisioner.timeline.TimelineRecorder;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.Optional;

/**
 * {@code rolling-update}: after a pod template change, every pod runs the new template and the timeline shows
 * them replaced "in the same order as Pod termination (from the largest ordinal to the smallest), updating
 * each Pod one at a time", each only once the one replaced before it was Ready.
 */
@ApplicationScoped
public class RollingUpdateOrder implements CheckpointKind {

    @Override
    public String name() {
        return "rolling-update-order";
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        int n = checkpoint.intParam("replicas", 3);
        var sts = lab.statefulSet();
        if (sts.isEmpty()) {
            return Verdict.fail("The StatefulSet " + LabNames.STATEFULSET + " does not exist.");
        }
        String template = TimelineRecorder.fingerprint(sts.get().getSpec().getTemplate().getSpec().getContainers());
        var found = PodOrder.replicas(lab, n);
        if (!found.ok()) {
            return Verdict.fail(found.problem());
        }
        var replicas = found.replicas();
        Map<String, Object> evidence = Map.of("template", template, "replicas", PodOrder.evidence(replicas));
        for (var replica : replicas) {
            String running = TimelineRecorder.fingerprint(replica.pod().getSpec().getContainers());
            if (!running.equals(template)) {
                return Verdict.fail("The rollout has not finished: " + replica.name() + " still runs an older pod template.", evidence);
            }
            if (replica.created().isEmpty()) {
                return Verdict.fail("The service did not see " + replica.name() + " being created, so it cannot tell the order. Change the template again.", evidence);
            }
            long createdSeq = replica.created().get().seq();
            Optional<TimelineEvent> replaced = lab.timeline().last(e -> e.is(Kind.POD, replica.name(), Type.DELETED) && e.seq() < createdSeq
                    && e.fingerprint() != null && !e.fingerprint().equals(template));
            if (replaced.isEmpty()) {
                return Verdict.fail(replica.name() + " did not replace a pod with another template. With " + n
                        + " replicas running, change the pod template (for example kubectl set env statefulset/postgres GREETING=hello) and watch the rollout.", evidence);
            }
        }
        for (int i = n - 1; i > 0; i--) {
            var higher = replicas.get(i);
            var lower = replicas.get(i - 1);
            long lowerCreated = lower.created().get().seq();
            if (higher.created().get().seq() > lowerCreated) {
                return Verdict.fail(lower.name() + " was replaced before " + higher.name() + ": a RollingUpdate goes from the highest ordinal down.", evidence);
            }
            if (!lab.timeline().podReadyBefore(higher.name(), lowerCreated)) {
                return Verdict.fail(lower.name() + " was replaced before the new " + higher.name() + " was Ready: a RollingUpdate replaces one pod at a time.", evidence);
            }
        }
        return Verdict.pass("All " + n + " pods run the new template, replaced one at a time from " + LabNames.podName(n - 1) + " down to "
                + LabNames.podName(0) + ".", evidence);
    }
}
