package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.Baseline;
import dev.labprovisioner.checkpoint.CheckpointKind;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.checkpoint.Verdict;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.labdata.LabDatabase;
import dev.labprovisioner.labdata.TableDigest;
import dev.labprovisioner.template.CheckpointDefinition;
import io.fabric8.kubernetes.api.model.Pod;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code write-data}: the learner's rows are in the pod's database. On success it records the baseline
 * (tables with row count and checksum, the pod and claim UIDs) that the retention checks compare against.
 */
@ApplicationScoped
public class DataBaseline implements CheckpointKind {

    @Override
    public String name() {
        return "data-baseline";
    }

    @Override
    public boolean readsLabData() {
        return true;
    }

    @Override
    public Verdict judge(LabEvidence lab, CheckpointDefinition checkpoint) {
        String podName = LabNames.podName(checkpoint.intParam("pod", 0));
        if (!lab.podReady(podName)) {
            return Verdict.fail(lab.podState(podName) + ": data can be written and read once it is Ready.");
        }
        Pod pod = lab.pod(podName).orElseThrow();
        List<TableDigest> tables;
        try {
            tables = lab.tables(pod);
        } catch (LabDatabase.LabDataException e) {
            return Verdict.fail(e.getMessage());
        }
        Map<String, Object> evidence = new LinkedHashMap<>();
        evidence.put("pod", podName);
        evidence.put("podUid", pod.getMetadata().getUid());
        if (tables.isEmpty()) {
            return Verdict.fail("The database in " + podName + " has no tables of yours yet: create a table and insert a few rows.", evidence);
        }
        List<TableDigest> filled = tables.stream().filter(t -> t.rows() > 0).toList();
        if (filled.isEmpty()) {
            return Verdict.fail("Your table" + (tables.size() > 1 ? "s " : " ") + tables.stream().map(TableDigest::table).toList()
                    + " in " + podName + (tables.size() > 1 ? " are" : " is") + " empty: insert a few rows.", evidence);
        }
        Map<String, String> claimUids = new TreeMap<>();
        lab.claimsOfStatefulSet().forEach(c -> claimUids.put(c.getMetadata().getName(), c.getMetadata().getUid()));
        long rows = filled.stream().mapToLong(TableDigest::rows).sum();
        String claimName = LabObservation.claimOf(pod).orElse(null);
        var kept = lab.baseline().filter(b -> b.tables().equals(filled)
                && java.util.Objects.equals(b.claimUids().get(claimName), claimUids.get(claimName)));
        if (kept.isPresent()) {
            // Same data on the same volume: the baseline stays, with its time, so a pod deleted since still counts.
            evidence.put("claimUids", kept.get().claimUids());
            evidence.put("baselineTakenAt", kept.get().takenAt().toString());
            return Verdict.pass("Found " + rows + " row" + (rows == 1 ? "" : "s") + " in " + filled.stream().map(TableDigest::table).toList()
                    + " on " + podName + ": the same data as your baseline of " + kept.get().takenAt() + ".", evidence);
        }
        Baseline baseline = new Baseline(Instant.now().truncatedTo(ChronoUnit.MICROS), podName, pod.getMetadata().getUid(), claimUids, filled);
        evidence.put("claimUids", claimUids);
        evidence.put("tables", filled.stream().map(t -> Map.of("table", t.table(), "rows", t.rows(), "checksum", t.checksum())).toList());
        return Verdict.pass("Found " + rows + " row" + (rows == 1 ? "" : "s") + " in " + filled.stream().map(TableDigest::table).toList()
                + " on " + podName + ". Recorded as your baseline: the next checks compare against it.", evidence).withBaseline(baseline);
    }
}
