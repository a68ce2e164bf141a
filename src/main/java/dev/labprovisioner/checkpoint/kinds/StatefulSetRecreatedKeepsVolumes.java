package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.Baseline;
import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.template.CheckpointDefinition;
import dev.labprovisioner.timeline.TimelineEvent;
import dev.labprovisioner.timeline.TimelineEvent.Kind;
import dev.labprovisioner.timeline.TimelineEvent.Type;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code statefulset-delete-keeps-volumes}: after write-data the StatefulSet was deleted and re-created (a new
 * UID), none of the claims write-data saw was ever deleted, and postgres-0 is back on its claim with the data.
 */
@ApplicationScoped
public class StatefulSetRecreatedKeepsVolumes implements CheckpointKind {

    @Override
    public String name() {
        return "statefulset-recreated-keeps-volumes";
    }

    @Override
    public boolean readsLabData() {
        return true;
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        Optional<Baseline> baseline = lab.baseline();
        if (baseline.isEmpty()) {
            return Verdict.fail(DataRetention.NO_BASELINE);
        }
        var sts = lab.statefulSet();
        if (sts.isEmpty()) {
            return Verdict.fail("The StatefulSet " + LabNames.STATEFULSET + " does not exist now: re-create it from the manifest you saved.");
        }
        String uid = sts.get().getMetadata().getUid();
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("statefulSetUid", uid);
        Optional<TimelineEvent> deleted = lab.timeline().last(e -> e.is(Kind.STATEFULSET, LabNames.STATEFULSET, Type.DELETED)
                && !e.uid().equals(uid) && !e.at().isBefore(baseline.get().takenAt()));
        if (deleted.isEmpty()) {
            return Verdict.fail("The StatefulSet " + LabNames.STATEFULSET + " has not been deleted since write-data recorded your data (UID " + uid
                    + "): save its manifest, delete it, and re-create it.", evidence);
        }
        evidence.put("deletedStatefulSetUid", deleted.get().uid());
        evidence.put("deletedAt", deleted.get().at().toString());
        for (var claim : baseline.get().claimUids().entrySet()) {
            Optional<TimelineEvent> claimDeleted = lab.timeline().first(e -> e.kind() == Kind.CLAIM && e.uid().equals(claim.getValue())
                    && e.event() == Type.DELETED);
            if (claimDeleted.isPresent()) {
                return Verdict.fail("The claim " + claim.getKey() + " was deleted at " + PodOrder.time(claimDeleted.get())
                        + ", and its data with it: deleting a StatefulSet never needs that.", evidence);
            }
        }
        evidence.put("claimUids", baseline.get().claimUids());
        int ordinal = checkpoint.intParam("pod", 0);
        Optional<String> dataProblem = DataRetention.problem(lab, ordinal, evidence);
        if (dataProblem.isPresent()) {
            return Verdict.fail(dataProblem.get(), evidence);
        }
        return Verdict.pass("The StatefulSet was deleted and re-created (UID " + uid + "), its claims were never deleted, and "
                + LabNames.podName(ordinal) + " is back on " + evidence.get("claim") + " with your data.", evidence);
    }
}
