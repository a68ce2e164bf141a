package dev.labprovisioner.learner;

import java.util.List;

/** What the learner's page shows: built by {@link LearnerPages}, rendered by the Qute template. */
public record LearnerPageView(
        String token,
        String title,
        String description,
        String state,
        String stateLabel,
        boolean ready,
        boolean preparing,
        String failureReason,
        String namespace,
        String expiresAt,
        long expiresAtEpochMillis,
        String timeLeft,
        boolean sandbox,
        /** On a sandbox cluster, which engine: {@code control-plane} or {@code imitation} (empty in real mode). */
        String sandboxEngine,
        int score,
        int maxScore,
        boolean completed,
        List<Step> steps,
        List<Card> unassigned,
        List<String> pods) {

    public record Step(int number, String id, String title, String html, List<Card> checkpoints) {
    }

    public record Card(String id, String title, String status, String statusLabel, int points, boolean advanced, String message,
                       int attempts, String passedAt, String acts, List<Fact> evidence) {
    }

    /** One line of a check's evidence, in words (never raw JSON). */
    public record Fact(String name, String value) {
    }
}
