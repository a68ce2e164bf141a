package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.template.CheckpointDefinition;
import dev.labprovisioner.timeline.TimelineEvent;
import dev.labprovisioner.timeline.TimelineEvent.Kind;
import dev.labprovisioner.timeline.TimelineEvent.Type;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code scale-down-retains-volumes}: scaled from {@code from} back to {@code to}: the pods above are gone
 * (the timeline saw them go), their claims are still there with the UIDs they had while those pods ran
 * ("deleting and/or scaling a StatefulSet down will not delete the volumes associated with the StatefulSet"),
 * and the baseline data is still in postgres-0.
 */
@ApplicationScoped
public class ScaleDownRetainsVolumes implements CheckpointKind {

    @Override
    public String name() {
        return "scale-down-retains-volumes";
    }

    @Override
    public boolean readsLabData() {
        return true;
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        int from = checkpoint.intParam("from", 3);
        int to = checkpoint.intParam("to", 1);
        if (lab.baseline().isEmpty()) {
            return Verdict.fail(DataRetention.NO_BASELINE);
        }
        var sts = lab.statefulSet();
        if (sts.isEmpty()) {
            return Verdict.fail("The StatefulSet " + LabNames.STATEFULSET + " does not exist.");
        }
        int desired = sts.get().getSpec().getReplicas() == null ? 1 : sts.get().getSpec().getReplicas();
        if (desired != to) {
            return Verdict.fail("The StatefulSet asks for " + desired + " replica" + (desired == 1 ? "" : "s") + ": scale it to " + to + ".");
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        List<Map<String, Object>> gone = new ArrayList<>();
        List<TimelineEvent> deletions = new ArrayList<>();
        for (int i = to; i < from; i++) {
            String pod = LabNames.podName(i);
            String claimName = LabNames.claimName(i);
            if (lab.pod(pod).isPresent()) {
                return Verdict.fail(lab.podState(pod) + ": wait until the scale-down has removed it.");
            }
            Optional<TimelineEvent> deleted = lab.timeline().last(e -> e.is(Kind.POD, pod, Type.DELETED));
            if (deleted.isEmpty()) {
                return Verdict.fail(pod + " never ran in this lab: scale up to " + from + " first (scale-up-ordered), then back to " + to + ".");
            }
            var claim = lab.claim(claimName);
            if (claim.isEmpty()) {
                return Verdict.fail("The claim " + claimName + " of " + pod + " is gone: the volume should have outlived the pod.");
            }
            String uid = claim.get().getMetadata().getUid();
            Optional<TimelineEvent> claimCreated = lab.timeline().created(uid);
            if (claimCreated.isPresent() && claimCreated.get().seq() > deleted.get().seq()) {
                return Verdict.fail(claimName + " was created after " + pod + " went away (UID " + uid
                        + "): the claim the pod used was deleted and re-created, with none of its data.");
            }
            deletions.add(deleted.get());
            var entry = new LinkedHashMap<String, Object>();
            entry.put("pod", pod);
            entry.put("deletedAt", deleted.get().at().toString());
            entry.put("claim", claimName);
            entry.put("claimUid", uid);
            gone.add(entry);
        }
        evidence.put("removed", gone);
        Optional<String> dataProblem = DataRetention.problem(lab, 0, evidence);
        if (dataProblem.isPresent()) {
            return Verdict.fail(dataProblem.get(), evidence);
        }
        deletions.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        var order = deletions.stream().map(TimelineEvent::name).toList();
        evidence.put("terminationOrder", order);
        return Verdict.pass("Scaled down to " + to + ": " + String.join(" then ", order) + " terminated, their claims are still there with the same UIDs, and your data in "
                + LabNames.podName(0) + " is intact.", evidence);
    }
}
