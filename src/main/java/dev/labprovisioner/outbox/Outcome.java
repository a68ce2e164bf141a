package dev.labprovisioner.outbox;

import java.time.Duration;
import java.util.Optional;

/**
 * What one attempt came to. {@code status}, {@code response} (the first bytes of the answer) and {@code error} are
 * recorded as the attempt; {@code retryAfter} is the destination's own wish (429/503 Retry-After).
 */
public record Outcome(Kind kind, Integer status, long latencyMillis, String response, String error, Optional<Duration> retryAfter) {

    public enum Kind {
        /** It arrived (a 2xx). */
        DELIVERED,
        /** Try again later, on the retry schedule or when the destination asked. */
        RETRY,
        /** The destination says it is gone for good (a 410): it is disabled, and nothing more is sent to it. */
        GONE,
        /** No attempt was made: the destination no longer exists or is disabled. */
        DROPPED
    }

    public static Outcome dropped(String why) {
        return new Outcome(Kind.DROPPED, null, 0, null, why, Optional.empty());
    }
}
