package dev.labprovisioner.checkpoint.kinds;

import dev.labprovisioner.checkpoint.Baseline;
import dev.labprovisioner.checkpoint.LabEvidence;
import dev.labprovisioner.cluster.LabNames;
import dev.labprovisioner.cluster.LabObservation;
import dev.labprovisioner.labdata.LabDatabase;
import dev.labprovisioner.labdata.TableDigest;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The question every retention checkpoint ends with: is the data write-data recorded still in the pod's
 * database, on the same volume (claim UID)? Answers with what is wrong, or nothing.
 */
final class DataRetention {

    static final String NO_BASELINE = "There is no baseline to compare with yet: check write-data first, so the service records your data.";

    private DataRetention() {
    }

    static Optional<String> problem(LabEvidence lab, int ordinal, Map<String, Object> evidence) {
        Optional<Baseline> found = lab.baseline();
        if (found.isEmpty()) {
            return Optional.of(NO_BASELINE);
        }
        Baseline baseline = found.get();
        String podName = LabNames.podName(ordinal);
        String claimName = LabNames.claimName(ordinal);
        if (!lab.podReady(podName)) {
            return Optional.of(lab.podState(podName) + ": the data can be read once it is Ready.");
        }
        Pod pod = lab.pod(podName).orElseThrow();
        String claimUid = lab.claim(claimName).map(c -> c.getMetadata().getUid()).orElse(null);
        String baselineClaim = baseline.claimUids().get(claimName);
        evidence.put("claim", claimName);
        evidence.put("claimUid", claimUid);
        evidence.put("baselineClaimUid", baselineClaim);
        if (claimUid == null) {
            return Optional.of("The claim " + claimName + " does not exist any more: its volume, and your data with it, is gone.");
        }
        if (baselineClaim != null && !baselineClaim.equals(claimUid)) {
            return Optional.of(claimName + " is a new claim (UID " + claimUid + "; write-data saw " + baselineClaim
                    + "): the original was deleted, and your data with it. Write your data again and check write-data.");
        }
        if (!LabObservation.claimOf(pod).map(claimName::equals).orElse(false)) {
            return Optional.of(podName + " does not mount " + claimName + ".");
        }
        Map<String, TableDigest> now;
        try {
            now = lab.tables(pod).stream().collect(Collectors.toMap(TableDigest::table, Function.identity()));
        } catch (LabDatabase.LabDataException e) {
            return Optional.of(e.getMessage());
        }
        for (TableDigest before : baseline.tables()) {
            TableDigest after = now.get(before.table());
            String hint = " If you changed it on purpose, check write-data again to record a new baseline.";
            if (after == null) {
                return Optional.of("Table " + before.table() + " is gone from " + podName + " (write-data saw it with " + before.rows()
                        + " rows)." + hint);
            }
            if (after.rows() != before.rows()) {
                return Optional.of("Table " + before.table() + " in " + podName + " has " + after.rows() + " rows; write-data saw "
                        + before.rows() + "." + hint);
            }
            if (!after.checksum().equals(before.checksum())) {
                return Optional.of("Table " + before.table() + " in " + podName + " has the same number of rows as write-data saw ("
                        + before.rows() + ") but different contents." + hint);
            }
        }
        evidence.put("tables", baseline.tables().stream().map(t -> t.table() + " (" + t.rows() + " rows)").toList());
        return Optional.empty();
    }
}
