package dev.labprovisioner.lti.rest;

import dev.labprovisioner.admin.AdminService;
import dev.labprovisioner.checkpoint.rest.CheckpointView;
import dev.labprovisioner.lti.launch.LaunchService;
import dev.labprovisioner.template.CheckpointDefinition;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The instructor's page: the course's learners (their LMS user ids), a column per checkpoint, the score. */
public record CoursePage(String courseTitle, String courseId, String templateTitle, List<Column> columns, List<Row> rows, int maxScore) {

    public record Column(String id, String title, int points) {
    }

    public record Cell(String status, String label) {
    }

    public record Row(String learnerId, String state, List<Cell> cells, int score, boolean completed) {
    }

    public static CoursePage of(LaunchService.InstructorProgress launch) {
        var progress = launch.progress();
        var template = progress.template();
        List<Column> columns = template.checkpoints().stream().map(c -> new Column(c.id(), c.title(), c.points())).toList();
        String owner = LaunchService.OWNER_PREFIX + launch.registration().id;
        List<Row> rows = progress.learners().stream()
                // The course id is the platform's: labs another platform or an API client made under the same id are not this course's.
                .filter(l -> l.lab().owner.equals(owner))
                .map(l -> {
                    Map<String, CheckpointView> byId = l.progress().checkpoints().stream()
                            .collect(Collectors.toMap(CheckpointView::id, Function.identity(), (a, b) -> a));
                    List<Cell> cells = template.checkpoints().stream().map(CheckpointDefinition::id).map(byId::get)
                            .map(v -> v == null ? new Cell("PENDING", "not checked") : cell(v)).toList();
                    return new Row(l.lab().learnerId, l.lab().state.name(), cells, l.progress().score(), l.progress().completed());
                }).toList();
        return new CoursePage(launch.contextTitle(), progress.courseId(), template.title(), columns, rows, template.maxScore());
    }

    private static Cell cell(CheckpointView v) {
        return switch (v.status()) {
            case PASSED -> new Cell("PASSED", "passed");
            case FAILED -> new Cell("FAILED", "not yet (" + v.attempts() + (v.attempts() == 1 ? " try)" : " tries)"));
            case PENDING -> new Cell("PENDING", "not checked");
        };
    }
}
