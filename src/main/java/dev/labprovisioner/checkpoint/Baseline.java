package dev.labprovisioner.checkpoint;

import dev.labprovisioner.labdata.TableDigest;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What write-data saw, kept in the service's database: the retention checks compare against it. */
public record Baseline(Instant takenAt, String podName, String podUid, Map<String, String> claimUids, List<TableDigest> tables) {
}
