package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.template.CheckpointDefinition;
import dev.labprovisioner.timeline.TimelineEvent;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * {@code scale-up-ordered}: pods 0..n-1 Ready, each on its own Bound claim, and (from the timeline, not a
 * snapshot) each pod created only once its predecessor was Ready: "Before a scaling operation is applied to a
 * Pod, all of its predecessors must be Running and Ready" (OrderedReady).
 */
@ApplicationScoped
public class OrderedScaleUp implements CheckpointKind {

    @Override
    public String name() {
        return "ordered-scale-up";
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        int n = checkpoint.intParam("replicas", 3);
        var found = PodOrder.replicas(lab, n);
        if (!found.ok()) {
            return Verdict.fail(found.problem());
        }
        var replicas = found.replicas();
        Map<String, Object> evidence = Map.of("replicas", PodOrder.evidence(replicas));
        for (var replica : replicas.subList(1, replicas.size())) {
            if (replica.created().isEmpty()) {
                return Verdict.fail("The service did not see " + replica.name() + " being created, so it cannot tell the order. Scale down to 1 and up to "
                        + n + " again.", evidence);
            }
            TimelineEvent created = replica.created().get();
            String predecessor = replicas.get(replica.ordinal() - 1).name();
            if (!lab.timeline().podReadyBefore(predecessor, created.seq())) {
                return Verdict.fail(replica.name() + " was created at " + PodOrder.time(created) + " before " + predecessor
                        + " was Ready: these pods were not started one at a time (is podManagementPolicy Parallel?). With OrderedReady, scale to 1 and back to "
                        + n + ".", evidence);
            }
        }
        return Verdict.pass(n + " replicas Ready, each on its own volume, each started only after the one before it was Ready.", evidence);
    }
}
