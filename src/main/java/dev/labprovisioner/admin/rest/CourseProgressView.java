package dev.labprovisioner.admin.rest;

import dev.labprovisioner.admin.AdminService;
import dev.labprovisioner.checkpoint.CheckpointStatus;
import dev.labprovisioner.checkpoint.rest.CheckpointView;
import dev.labprovisioner.lab.LabState;
import dev.labprovisioner.template.CheckpointDefinition;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A course's progress report: one row per learner (their latest lab of the template, live or not). */
public record CourseProgressView(
        String courseId,
        String template,
        @Schema(description = "The template's checkpoints, in the lab's order: the report's columns") List<Checkpoint> checkpoints,
        List<Learner> learners) {

    public record Checkpoint(String id, String title, int points, CheckpointDefinition.Level level) {
    }

    public record Learner(
            String learnerId,
            UUID labId,
            LabState state,
            int score,
            int maxScore,
            @Schema(description = "Every REQUIRED checkpoint has passed") boolean completed,
            @Schema(description = "Checkpoint id to PASSED, FAILED or PENDING, in the lab's order") Map<String, CheckpointStatus> checkpoints) {
    }

    static CourseProgressView of(AdminService.CourseProgress report) {
        var columns = report.template().checkpoints().stream()
                .map(c -> new Checkpoint(c.id(), c.title(), c.points(), c.level())).toList();
        var learners = report.learners().stream().map(row -> {
            var statuses = new LinkedHashMap<String, CheckpointStatus>();
            for (CheckpointView c : row.progress().checkpoints()) {
                statuses.put(c.id(), c.status());
            }
            var p = row.progress();
            return new Learner(row.lab().learnerId, row.lab().id, row.lab().state, p.score(), p.maxScore(), p.completed(), statuses);
        }).toList();
        return new CourseProgressView(report.courseId(), report.template().id(), columns, learners);
    }
}
