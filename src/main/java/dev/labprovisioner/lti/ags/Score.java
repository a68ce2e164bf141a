package dev.labprovisioner.lti.ags;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.labprovisioner.checkpoint.CheckpointStatus;
import dev.labprovisioner.checkpoint.rest.ProgressView;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An AGS score ({@code application/vnd.ims.lis.v1.score+json}, AGS 2.0 §3.4) of a learner's lab, as it is POSTed to the
 * line item's {@code /scores}.
 *
 * <ul>
 * <li>{@code activityProgress}: {@code Completed} once every REQUIRED checkpoint has passed; {@code InProgress} once any
 * checkpoint has passed; {@code Started} before (the learner has had a check run, nothing passed yet).</li>
 * <li>{@code gradingProgress}: {@code FullyGraded} once a checkpoint has passed: the score is the sum of verdicts already
 * recorded, and a PASSED checkpoint never falls back, so it is a real grade (partial credit), which Moodle only records
 * when FullyGraded. {@code Pending} while nothing has passed: the checks that earn points still have to run and pass,
 * so the platform is not told "0, final".</li>
 * </ul>
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Score(String userId, int scoreGiven, int scoreMaximum, String activityProgress, String gradingProgress, String timestamp,
                    String comment) {

    public static final String STARTED = "Started";
    public static final String IN_PROGRESS = "InProgress";
    public static final String COMPLETED = "Completed";
    public static final String FULLY_GRADED = "FullyGraded";
    public static final String PENDING = "Pending";

    /** ISO-8601, UTC, with milliseconds (platforms compare these to drop an older score arriving late). */
    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public static Score of(String userId, ProgressView progress, Instant at) {
        long passed = progress.checkpoints().stream().filter(c -> c.status() == CheckpointStatus.PASSED).count();
        String activity = progress.completed() ? COMPLETED : passed > 0 ? IN_PROGRESS : STARTED;
        String grading = progress.completed() || passed > 0 ? FULLY_GRADED : PENDING;
        String comment = passed + " of " + progress.checkpoints().size() + " checkpoints passed"
                + (progress.completed() ? "; every required one: the lab is completed." : ".");
        return new Score(userId, progress.score(), progress.maxScore(), activity, grading, TIMESTAMP.format(at), comment);
    }
}
