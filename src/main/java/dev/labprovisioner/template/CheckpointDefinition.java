package dev.labprovisioner.template;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.util.Map;

/**
 * A checkpoint as the lab's data declares it. {@code kind} names the Java check that judges it (one class per
 * kind); {@code params} are that kind's parameters. {@code acts} is set when the check can, on request, act on
 * the lab to prove its point, and says what it will do.
 */
public record CheckpointDefinition(
        String id,
        String title,
        int points,
        Level level,
        String kind,
        Map<String, Object> params,
        @Schema(nullable = true, description = "Set when the check can act on request: what it will do") String acts) {

    public enum Level { REQUIRED, ADVANCED }

    public CheckpointDefinition {
        params = params == null ? Map.of() : Map.copyOf(params);
        level = level == null ? Level.REQUIRED : level;
    }

    public boolean canAct() {
        return acts != null && !acts.isBlank();
    }

    public int intParam(String name, int fallback) {
        Object v = params.get(name);
        return v instanceof Number n ? n.intValue() : v == null ? fallback : Integer.parseInt(v.toString());
    }

    public String stringParam(String name, String fallback) {
        Object v = params.get(name);
        return v == null ? fallback : v.toString();
    }
}
