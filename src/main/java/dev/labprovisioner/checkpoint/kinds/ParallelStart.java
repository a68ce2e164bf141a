package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.template.CheckpointDefinition;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * {@code parallel-pod-management}: the StatefulSet uses {@code podManagementPolicy: Parallel} ("launch or
 * terminate all Pods in parallel, and to not wait for Pods to become Running and Ready") and the timeline
 * shows it: some pod of the current n was created while its predecessor was not Ready.
 */
@ApplicationScoped
public class ParallelStart implements CheckpointKind {

    @Override
    public String name() {
        return "parallel-start";
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        int n = checkpoint.intParam("replicas", 3);
        var sts = lab.statefulSet();
        if (sts.isEmpty()) {
            return Verdict.fail("The StatefulSet " + LabNames.STATEFULSET + " does not exist: re-create it with podManagementPolicy: Parallel.");
        }
        String policy = sts.get().getSpec().getPodManagementPolicy() == null ? "OrderedReady" : sts.get().getSpec().getPodManagementPolicy();
        if (!"Parallel".equals(policy)) {
            return Verdict.fail("The StatefulSet " + LabNames.STATEFULSET + " uses podManagementPolicy " + policy
                    + ". The policy cannot be changed in place: delete the StatefulSet (the volumes stay) and re-create it with podManagementPolicy: Parallel.",
                    Map.of("podManagementPolicy", policy));
        }
        var found = PodOrder.replicas(lab, n);
        if (!found.ok()) {
            return Verdict.fail(found.problem(), Map.of("podManagementPolicy", policy));
        }
        var replicas = found.replicas();
        Map<String, Object> evidence = Map.of("podManagementPolicy", policy, "replicas", PodOrder.evidence(replicas));
        for (var replica : replicas.subList(1, replicas.size())) {
            var created = replica.created();
            String predecessor = replicas.get(replica.ordinal() - 1).name();
            if (created.isPresent() && !lab.timeline().podReadyBefore(predecessor, created.get().seq())) {
                return Verdict.pass(replica.name() + " was created at " + PodOrder.time(created.get()) + " without waiting for " + predecessor
                        + " to be Ready: the pods started in parallel.", evidence);
            }
        }
        return Verdict.fail("Each of the " + n + " pods still waited for the one before it to be Ready. With Parallel, scale to 1 and then to "
                + n + ": the new pods start together.", evidence);
    }
}
