package dev.labprovisioner.outbox;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
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
        /**
         * The destination refused this delivery for good (a 4xx that sending the same bytes again cannot change): the
         * attempt is recorded and the delivery FAILED with its reason; the destination's other deliveries go on.
         */
        REFUSED,
        /** No attempt was made: the destination no longer exists or is disabled. */
        DROPPED
    }

    public static Outcome dropped(String why) {
        return new Outcome(Kind.DROPPED, null, 0, null, why, Optional.empty());
    }

    /** A destination's {@code Retry-After}: seconds, or an HTTP date (a past one is now). Empty if it is neither. */
    public static Optional<Duration> retryAfter(String value) {
        String v = value.trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(seconds));
        } catch (NumberFormatException e) {
            try {
                Duration until = Duration.between(Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return Optional.of(until.isNegative() ? Duration.ZERO : until);
            } catch (DateTimeParseException ignored) {
                return Optional.empty();
            }
        }
    }
}
