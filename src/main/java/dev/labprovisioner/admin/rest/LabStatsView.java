package dev.labprovisioner.admin.rest;

import dev.labprovisioner.admin.AdminService;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.LinkedHashMap;
import java.util.Map;

public record LabStatsView(
        @Schema(description = "Every state, with how many labs are in it now (0 included)") Map<String, Long> labsByState,
        TimeToReady timeToReady) {

    /** Seconds from the start of provisioning to READY over every lab that got there; null until one has. */
    public record TimeToReady(@Schema(nullable = true) Double p50Seconds, @Schema(nullable = true) Double p95Seconds, long count) {
    }

    static LabStatsView of(AdminService.LabStats stats) {
        var byState = new LinkedHashMap<String, Long>();
        stats.labsByState().forEach((state, n) -> byState.put(state.name(), n));
        var t = stats.timeToReady();
        return new LabStatsView(byState, new TimeToReady(t.p50Seconds(), t.p95Seconds(), t.count()));
    }
}
