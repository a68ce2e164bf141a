package dev.labprovisioner.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a check concluded: passed or not, a message the learner can act on, the evidence it went by (UIDs,
 * ordinals, times) and, for the check that takes it, a new data baseline.
 */
public record Verdict(boolean passed, String message, Map<String, Object> evidence, Optional<Baseline> baseline) {

    public static Verdict pass(String message, Map<String, Object> evidence) {
        return new Verdict(true, message, new LinkedHashMap<>(evidence), Optional.empty());
    }

    public static Verdict fail(String message, Map<String, Object> evidence) {
        return new Verdict(false, message, new LinkedHashMap<>(evidence), Optional.empty());
    }

    public static Verdict fail(String message) {
        return fail(message, Map.of());
    }

    public Verdict withBaseline(Baseline b) {
        return new Verdict(passed, message, evidence, Optional.of(b));
    }
}
